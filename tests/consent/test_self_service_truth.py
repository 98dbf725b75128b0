"""/me/ and the public pages say what is true: confirmed withdrawal, honest cards and sign pages,
checked dates, and a receipt by e-mail however a consent was recorded."""

import re

import pytest
from django.core import mail

from consent.forms import ReceiptSignInForm
from consent.models import Consent
from governance.models import Notice
from portal.panel.consent.forms import ConsentRecordForm

pytestmark = pytest.mark.django_db


def _sign_in(client, email="ann@example.test"):
    client.post("/me/", {"email": email})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    client.post("/me/code/", {"email": email, "code": code})


def test_r13_withdrawal_is_one_confirm_page_then_one_click(cw, client):
    consent, _ = cw.grant()
    _sign_in(client)
    card = client.get("/me/consents/").content.decode()
    link = f"/me/consents/{consent.public_id}/withdraw/"
    assert f'href="{link}"' in card
    confirm = client.get(link)
    assert confirm.status_code == 200 and "Confirm withdrawal" in confirm.content.decode()
    assert Consent.objects.get(pk=consent.pk).state == "active"
    response = client.post(link, follow=True)
    assert "is withdrawn" in response.content.decode()
    assert Consent.objects.get(pk=consent.pk).state == "withdrawn"


def test_card_after_withdrawal_no_longer_says_face_recognition_yes(cw, client):
    consent, _ = cw.grant(central_storage=True, raw_images=False)
    _sign_in(client)
    client.post(f"/me/consents/{consent.public_id}/withdraw/")
    card = client.get("/me/consents/").content.decode()
    section = re.search(r"<section class=\"card consent withdrawn\".*?</section>", card, re.S)
    text = re.sub(r"\s+", " ", section.group(0))
    assert "Face recognition for this purpose</dt><dd>No: you withdrew your consent" in text
    assert "Central storage and transmission</dt><dd>No longer" in text


def test_a_birth_date_in_the_future_is_a_field_error(cw, client):
    response = client.post(
        f"/notice/acme/p/{cw.purpose.pk}/",
        {
            "action": "accept",
            "p-display_name": "Zhou Jie",
            "p-email": "zhou@example.test",
            "p-date_of_birth": "2099-01-01",
            "i-central_storage": "no",
        },
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not Consent.objects.exists()
    form = ReceiptSignInForm({"code": "ABCD-EFGH-JKMN", "date_of_birth": "1850-01-01"})
    assert not form.is_valid() and "before 1900" in str(form.errors["date_of_birth"])


def test_a_staff_recorded_consent_e_mails_its_receipt(cw, django_capture_on_commit_callbacks):
    from consent.services import Evidence

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _consent, receipt = cw.grant(
            evidence=Evidence(channel="paper", consent_ui_version="panel-paper-2026.1")
        )
    assert [m.to for m in mail.outbox] == [["ann@example.test"]]
    body = mail.outbox[0].body
    assert receipt.code[:4] in body.replace("-", "") and "Office gate" in body
    assert "/receipts/verify/" in body


def test_a_withdrawal_e_mails_its_receipt_too(cw, django_capture_on_commit_callbacks):
    from consent.services import consent_withdraw

    consent, _ = cw.grant()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    assert len(mail.outbox) == 1 and "withdrew" in mail.outbox[0].body


def test_a_draft_deployment_sign_page_does_not_say_face_recognition_is_used(cw, client):
    cw.deployment.status = "draft"
    cw.deployment.save(update_fields=["status"])
    response = client.get(f"/notice/acme/d/{cw.deployment.pk}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Face recognition is used here" not in page
    assert "not in use at this site" in page
    assert f"/notice/acme/p/{cw.purpose.pk}/" not in page


def test_record_a_consent_defaults_to_a_language_with_a_published_notice(cw):
    Notice.objects.filter(language="zh-hans").delete()
    form = ConsentRecordForm(organization=cw.org)
    assert form["language"].value() == "en"
