"""The /me/ pages and the public notice page, through Django's test client."""

import json
import re

import pytest
from django.core import mail

from audit.models import AuditEvent
from consent.models import Consent, Subject
from consent.receipts import receipt_verify
from consent.services import consent_withdraw

pytestmark = pytest.mark.django_db


def _sign_in(client, email="ann@example.test"):
    client.post("/me/", {"email": email})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    return client.post("/me/code/", {"email": email, "code": code})


def test_sign_in_list_withdraw_and_download_a_receipt(cw, client):
    consent, _ = cw.grant()
    response = client.post("/me/", {"email": "ann@example.test"})
    assert response.status_code == 302 and response.url == "/me/code/"
    response = _sign_in(client)
    assert response.url == "/me/consents/"
    page = client.get("/me/consents/")
    assert "Office gate" in page.content.decode()
    assert AuditEvent.objects.filter(action="self_service.consents_viewed").exists()
    response = client.post(f"/me/consents/{consent.public_id}/withdraw/", follow=True)
    assert "is withdrawn" in response.content.decode()
    consent.refresh_from_db()
    assert consent.state == "withdrawn" and consent.withdrawal_channel == "web"
    receipt = consent.receipts.get(event__type="withdrawn")
    download = client.get(f"/me/receipts/{receipt.receipt_id}.json")
    assert download["Content-Type"] == "application/json"
    assert "attachment" in download["Content-Disposition"]
    assert receipt_verify(document=download.content).current_state == "withdrawn"
    printable = client.get(f"/me/receipts/{receipt.receipt_id}/")
    assert b"<svg" in printable.content


def test_wrong_code_shows_a_clear_error_and_signs_nobody_in(cw, client):
    client.post("/me/", {"email": "ann@example.test"})
    response = client.post("/me/code/", {"email": "ann@example.test", "code": "000000x"})
    assert response.status_code == 200
    assert "wrong" in response.content.decode() or "not valid" in response.content.decode()
    assert client.get("/me/consents/").url == "/me/"


def test_withdrawing_someone_elses_consent_is_404_and_changes_nothing(cw, client):
    from tests.factories import SubjectFactory

    other = SubjectFactory(organization=cw.org, email="eve@example.test")
    theirs, _ = cw.grant(subject=other)
    cw.grant()
    _sign_in(client)
    response = client.post(f"/me/consents/{theirs.public_id}/withdraw/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "active"
    other_receipt = theirs.receipts.get()
    assert client.get(f"/me/receipts/{other_receipt.receipt_id}.json").status_code == 404


def test_self_service_pages_need_a_sign_in(cw, client):
    consent, _ = cw.grant()
    assert client.get("/me/consents/").url == "/me/"
    response = client.post(f"/me/consents/{consent.public_id}/withdraw/")
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.state == "active"


def test_sign_in_with_receipt_code_and_date_of_birth(cw, client):
    _consent, receipt = cw.grant()
    response = client.post("/me/receipt/", {"code": receipt.code, "date_of_birth": "1990-05-17"})
    assert response.url == "/me/consents/"
    bad = client.post("/me/receipt/", {"code": receipt.code, "date_of_birth": "1990-05-18"})
    assert "do not match" in bad.content.decode()


def test_one_address_in_two_organizations_chooses_one(cw, other_cw, client):
    _purpose, _notice, outsider_subject = other_cw
    outsider_subject.email = "ann@example.test"
    outsider_subject.save()
    response = _sign_in(client)
    assert response.url == "/me/choose/"
    page = client.get("/me/choose/").content.decode()
    assert "Acme Security" in page and "Other Corp" in page
    client.post("/me/choose/", {"choice": 1})
    assert client.get("/me/consents/").status_code == 200


def test_me_menu_links_the_pages_settings_name_for_higher_apps(cw, client, settings):
    # Consent's templates name no higher app: the requests page comes from settings (issue 14).
    _sign_in(client)
    assert 'href="/me/requests/"' in client.get("/me/consents/").content.decode()
    settings.CONSENT_SELF_SERVICE_PAGES = []
    assert 'href="/me/requests/"' not in client.get("/me/consents/").content.decode()


def test_r4_consent_screen_pre_ticks_nothing_and_shows_decline_as_plainly_as_accept(cw, client):
    page = client.get(f"/notice/acme/p/{cw.purpose.pk}/").content.decode()
    assert " checked" not in page
    buttons = re.findall(r"<button ([^>]*)name=\"action\"[^>]*>", page)
    assert len(buttons) == 2
    assert 'class="' not in "".join(buttons)  # neither button is styled differently
    assert 'value="accept"' in page and 'value="decline"' in page
    # Never bundled: the form asks only about face recognition and its separate items.
    assert "terms" not in page.lower().replace("other terms", "")
    assert cw.notice.alternative_text in page


def test_r3_r14_alternative_is_offered_and_stays_available_after_a_decline(cw, client):
    page = client.get(f"/notice/acme/p/{cw.purpose.pk}/").content.decode()
    assert "badge and PIN" in page and "does not cost you the service" in page
    _sign_in(client)
    response = client.post(f"/notice/acme/p/{cw.purpose.pk}/", {"action": "decline"})
    assert response.status_code == 200
    assert "Badge and PIN, or reception." in response.content.decode()
    cw.subject.refresh_from_db()
    assert cw.subject.choice == "alternative"
    assert AuditEvent.objects.filter(action="consent.declined").exists()
    assert Consent.objects.count() == 0


def test_r4_accept_without_answering_each_item_is_refused(cw, client):
    _sign_in(client)
    response = client.post(f"/notice/acme/p/{cw.purpose.pk}/", {"action": "accept"})
    assert response.status_code == 400
    assert Consent.objects.count() == 0


def test_new_person_consents_from_a_deployment_link_and_gets_a_receipt(cw, client):
    page = client.get(f"/notice/acme/d/{cw.deployment.pk}/").content.decode()
    assert f"/notice/acme/p/{cw.purpose.pk}/?d={cw.deployment.pk}" in page
    assert client.get(f"/notice/acme/d/{cw.deployment.pk}/qr.svg")["Content-Type"].startswith(
        "image/svg"
    )
    response = client.post(
        f"/notice/acme/p/{cw.purpose.pk}/?d={cw.deployment.pk}",
        {
            "action": "accept",
            "p-display_name": "Zhou Jie",
            "p-email": "zhou@example.test",
            "p-date_of_birth": "1985-02-02",
        },
        HTTP_USER_AGENT="PhoneBrowser/1.0",
    )
    assert response.status_code == 302 and response.url == "/me/consents/"
    subject = Subject.objects.get(email="zhou@example.test")
    consent = Consent.objects.get(subject=subject)
    assert (consent.deployment, consent.channel, consent.user_agent) == (
        cw.deployment,
        "web",
        "PhoneBrowser/1.0",
    )
    assert consent.consent_ui_version == "web-2026.1"
    assert not consent.central_storage  # an on-device deployment does not even ask
    listing = client.get("/me/consents/").content.decode()
    assert "Your receipt code is" in listing


def test_notice_page_for_a_purpose_without_a_published_notice_is_404(cw, client):
    from tests.factories import PurposeFactory

    purpose = PurposeFactory(organization=cw.org)
    response = client.get(f"/notice/acme/p/{purpose.pk}/")
    assert response.status_code == 404
    assert "No notice published" in response.content.decode()


def test_notice_page_in_chinese(cw, client):
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/notice/acme/p/{cw.purpose.pk}/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "开启办公室门禁。" in page


def test_reconsent_required_consent_is_shown_with_a_link_to_the_new_notice(cw, client):
    from consent.services import consents_require_reconsent

    consent, _ = cw.grant()
    consents_require_reconsent(
        organization_id=cw.org.pk, old_version_ids=[cw.version.pk], actor=cw.actor
    )
    _sign_in(client)
    page = client.get("/me/consents/").content.decode()
    assert 'data-state="reconsent_required"' in page
    assert f"/notice/acme/p/{cw.purpose.pk}/" in page


def test_keys_document_is_public_json(cw, client):
    cw.grant()
    body = json.loads(client.get("/.well-known/consent-keys.json").content)
    assert body["keys"][0]["kty"] == "OKP"
    assert "private" not in json.dumps(body)


def test_withdrawn_consent_has_no_withdraw_button(cw, client):
    consent, _ = cw.grant()
    consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    _sign_in(client)
    page = client.get("/me/consents/").content.decode()
    assert f"/me/consents/{consent.public_id}/withdraw/" not in page


def _sent_link():
    return re.search(r"(/me/link/[^/\s]+/)", mail.outbox[-1].body).group(1)


def test_r13_attackers_wrong_codes_do_not_stop_the_person_withdrawing_by_link(cw, client):
    """A third party who types wrong codes and asks for new ones cannot keep a person out."""
    import contextlib
    import datetime

    import time_machine

    from consent.errors import Throttled
    from consent.services import code_request, code_verify
    from tenants.errors import ApplicationError

    consent, _ = cw.grant()
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)) as traveller:
        client.post("/me/", {"email": "ann@example.test"})
        link = _sent_link()
        # The attacker guesses from many addresses, waiting out each delay, until the code dies,
        # then asks for new codes until requests for the address are paced.
        for n in range(40):
            try:
                code_verify(email="ann@example.test", code="123456", ip=f"10.66.0.{n}")
            except Throttled as exc:
                traveller.shift(datetime.timedelta(seconds=exc.details["retry_after"]))
            except ApplicationError:
                pass
        for n in range(5):
            with contextlib.suppress(Throttled):
                code_request(email="ann@example.test", ip=f"10.66.1.{n}")
        response = client.post("/me/code/", {"email": "ann@example.test", "code": "000000"})
        assert response.status_code == 200  # refused: the codes are of no use to anyone now

        page = client.get(link)  # opening the link (a mail scanner, say) signs nobody in
        assert page.status_code == 200 and b"<form" in page.content
        assert client.get("/me/consents/").url == "/me/"
        response = client.post(link)
        assert response.status_code == 302 and response.url == "/me/consents/"
        response = client.post(f"/me/consents/{consent.public_id}/withdraw/", follow=True)
    assert "is withdrawn" in response.content.decode()
    consent.refresh_from_db()
    assert consent.state == "withdrawn"
    assert AuditEvent.objects.filter(
        action="self_service.signed_in", details__method="email_link"
    ).exists()
    assert client.post(link).status_code == 400  # used once


def test_r13_failures_from_others_behind_one_ip_only_delay_a_person(cw, client):
    """Thirty wrong codes from others at the same address used to lock it out for everyone."""
    import datetime

    import time_machine

    from consent.errors import Throttled
    from consent.services import code_verify
    from tenants.errors import ApplicationError

    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)) as traveller:
        for n in range(60):  # the test client's address
            try:
                code_verify(email=f"other{n}@example.test", code="000000", ip="127.0.0.1")
            except Throttled as exc:
                assert exc.details["retry_after"] <= 61  # a delay with a cap, never a lock
                traveller.shift(datetime.timedelta(seconds=exc.details["retry_after"]))
            except ApplicationError:
                pass
        response = client.post("/me/", {"email": "ann@example.test"})
        assert response.status_code == 302
        code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        response = client.post("/me/code/", {"email": "ann@example.test", "code": code})
        if response.status_code == 200:  # asked to wait: at most a minute
            wait = int(re.search(r"wait (\d+) seconds", response.content.decode()).group(1))
            assert wait <= 61
            traveller.shift(datetime.timedelta(seconds=wait))
            response = client.post("/me/code/", {"email": "ann@example.test", "code": code})
        assert response.status_code == 302 and response.url == "/me/consents/"
        # The link is never delayed at all.
        client.post("/me/sign-out/")
        client.post("/me/", {"email": "ann@example.test"})
        assert client.post(_sent_link()).url == "/me/consents/"
