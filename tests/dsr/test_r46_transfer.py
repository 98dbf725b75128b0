"""R46: a person asks that their data be sent to a processor they name (PIPL Art. 45(3)).

The request is a data-subject request of kind portability_transfer. The service checks the
receiver's eligibility (identified with a contact; abroad only with a transfer basis, R26; the
subject verified; the export valid against the schema); the DPO approves (delivery by a
single-use expiring link, or a direct import into another organization on the platform) or
refuses with a reason the person reads on /me/.
"""

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from audit.actors import Actor
from audit.models import AuditEvent
from consent.models import Consent, Subject
from dsr.models import DataRequest, ImportedConsent, PortabilityTransfer
from dsr.services.portability import portability_validate
from dsr.services.transfer import portability_transfer_file
from dsr.services.transfer_delivery import portability_transfer_approve
from tenants.rls import rls_scope
from tests.factories import RecipientFactory, TransferBasisFactory
from tests.portal.test_row_level_security import _as, app_role

pytestmark = pytest.mark.django_db

RECEIVER = {
    "receiver_name": "Gatekeeper Ltd",
    "receiver_contact": "privacy@gatekeeper.example",
    "receiver_location": "CN",
    "delivery": "link",
}


def _file(client, dw, **overrides):
    body = {"subject": str(dw.subject.pseudonym), "identity_check": "ID card seen"}
    answer = client.post(
        "/api/v1/portability-transfers/", body | RECEIVER | overrides, format="json"
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def _sign_in(client, email="ann@example.test"):
    client.post("/me/", {"email": email})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    return client.post("/me/code/", {"email": email, "code": code})


def test_r46_eligible_transfer_approved_and_delivered_by_link_once(dw, world, api_as, client):
    dpo = api_as(world.dpo, "acme")
    filed = _file(dpo, dw)
    assert filed["status"] == "identity_verified"
    assert filed["eligible"] is True, filed["eligibility"]
    checks = {c["check"]: c for c in filed["eligibility"]}
    assert set(checks) == {
        "receiver_identified",
        "transfer_basis",
        "subject_verified",
        "export_valid",
    }
    assert "privacy@gatekeeper.example" in checks["receiver_identified"]["message"]
    # The deadline machinery applies: the request is in the queue with its due date.
    request = DataRequest.objects.get(pk=filed["data_request"])
    assert request.kind == "portability_transfer" and request.due_at is not None

    approved = dpo.post(f"/api/v1/portability-transfers/{filed['id']}/approve/")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "completed" and body["approved_at"]
    url = body["download_url"]
    assert url and "/portability/transfers/" in url

    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Disposition"].startswith("attachment")
    document = portability_validate(json.loads(first.content))
    assert document["subject"]["display_name"] == "Ann Example"
    fetched = AuditEvent.objects.get(action="data_request.transfer_fetched")
    assert fetched.details["receiver"] == "Gatekeeper Ltd"

    again = client.get(url)
    assert again.status_code == 410 and again.json()["code"] == "link_used"
    assert AuditEvent.objects.filter(action="data_request.transfer_fetch_refused").count() == 1
    # Used: the API no longer shows a live link.
    shown = dpo.get(f"/api/v1/portability-transfers/{filed['id']}/").json()
    assert shown["download_url"] is None and shown["delivered_at"]
    assert client.get(url[:-4] + "xyz/").status_code == 404


def test_r46_expired_transfer_link_is_refused(dw, world, api_as, client):
    dpo = api_as(world.dpo, "acme")
    filed = _file(dpo, dw)
    url = dpo.post(f"/api/v1/portability-transfers/{filed['id']}/approve/").json()["download_url"]
    PortabilityTransfer.objects.filter(pk=filed["id"]).update(
        link_expires_at=timezone.now() - timedelta(minutes=1)
    )
    late = client.get(url)
    assert late.status_code == 410 and late.json()["code"] == "link_expired"
    assert PortabilityTransfer.objects.get(pk=filed["id"]).delivered_at is None


def test_r46_abroad_receiver_without_basis_is_refused_with_the_r26_reason(
    dw, world, api_as, client
):
    dpo = api_as(world.dpo, "acme")
    filed = _file(dpo, dw, receiver_location="SG")
    assert filed["eligible"] is False
    basis = next(c for c in filed["eligibility"] if c["check"] == "transfer_basis")
    assert not basis["ok"] and basis["message"].startswith("R26")

    refused = dpo.post(f"/api/v1/portability-transfers/{filed['id']}/approve/")
    assert refused.status_code == 409 and refused.json()["code"] == "transfer_ineligible"
    assert refused.json()["details"]["failed"][0]["check"] == "transfer_basis"

    answer = dpo.post(f"/api/v1/portability-transfers/{filed['id']}/refuse/", {}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "rejected"
    assert answer.json()["rejection_reason"].startswith("R26")
    assert AuditEvent.objects.filter(action="data_request.rejected").exists()

    # The person reads the reason on /me/.
    _sign_in(client)
    page = client.get(f"/me/requests/{filed['data_request']}/").content.decode()
    assert "R26" in page and "Gatekeeper Ltd" in page


def test_r46_abroad_receiver_with_a_recorded_basis_is_eligible(dw, world, api_as):
    recipient = RecipientFactory(organization=world.org, name="Gatekeeper Ltd", location="SG")
    TransferBasisFactory(recipient=recipient, reference="SC-2026-0042")
    filed = _file(api_as(world.dpo, "acme"), dw, receiver_location="SG")
    assert filed["eligible"] is True and filed["recipient"] == recipient.pk
    basis = next(c for c in filed["eligibility"] if c["check"] == "transfer_basis")
    assert "SC-2026-0042" in basis["message"]


def test_r46_direct_import_into_a_second_organization(dw, world, api_as):
    dpo = api_as(world.dpo, "acme")
    filed = _file(dpo, dw, delivery="import", receiver_slug="other")
    assert filed["eligible"] is True and filed["target_organization"] == "other"
    approved = dpo.post(f"/api/v1/portability-transfers/{filed['id']}/approve/")
    assert approved.status_code == 200, approved.content
    assert approved.json()["import_id"] and approved.json()["download_url"] is None

    created = Subject.objects.get(organization=world.outsider_org)
    assert created.display_name == "Ann Example" and created.pseudonym != dw.subject.pseudonym
    # The consents arrive as history that needs confirmation, never as consents.
    assert not Consent.objects.filter(subject=created).exists()
    listed = api_as(world.outsider, "other").get("/api/v1/portability-imports/").json()
    assert listed["results"][0]["consents"][0]["status"] == "needs_confirmation"
    assert ImportedConsent.objects.get().organization == world.outsider_org
    assert AuditEvent.objects.filter(
        action="portability.imported", organization_id=world.outsider_org.pk
    ).exists()
    assert AuditEvent.objects.filter(
        action="data_request.transfer_delivered", organization_id=world.org.pk
    ).exists()


def test_r46_import_into_an_unknown_or_own_organization_is_not_eligible(dw, world, api_as):
    filed = _file(api_as(world.dpo, "acme"), dw, delivery="import", receiver_slug="acme")
    platform = next(c for c in filed["eligibility"] if c["check"] == "receiver_on_platform")
    assert filed["eligible"] is False and not platform["ok"]


def test_r46_other_tenant_cannot_see_or_approve_a_transfer(dw, world, api_as):
    filed = _file(api_as(world.dpo, "acme"), dw)
    outsider = api_as(world.outsider, "other")
    assert outsider.get(f"/api/v1/portability-transfers/{filed['id']}/").status_code == 404
    approve = outsider.post(f"/api/v1/portability-transfers/{filed['id']}/approve/")
    assert approve.status_code == 404
    assert outsider.get("/api/v1/portability-transfers/").json()["results"] == []
    # Operators do not handle requests.
    operator = api_as(world.operator, "acme")
    assert operator.get("/api/v1/portability-transfers/").status_code == 403


def test_r46_generic_request_forms_do_not_file_a_transfer(dw, world, api_as):
    body = {"subject": str(dw.subject.pseudonym), "kind": "portability_transfer"}
    answer = api_as(world.dpo, "acme").post("/api/v1/data-requests/", body, format="json")
    assert answer.status_code == 400


def test_r46_the_me_form_files_a_transfer_the_dpo_handles_in_the_panel(dw, world, client, panel_as):
    _sign_in(client)
    assert 'href="/me/portability/transfer/"' in client.get("/me/portability/").content.decode()
    page = client.get("/me/portability/transfer/")
    assert page.status_code == 200
    assert "Send my data to another organization" in page.content.decode()
    missing = client.post("/me/portability/transfer/", {"receiver_name": "Gatekeeper Ltd"})
    assert missing.status_code == 200 and b"errorlist" in missing.content
    sent = client.post(
        "/me/portability/transfer/",
        RECEIVER | {"receiver_location": "US", "message": "Please"},
    )
    assert sent.status_code == 302
    transfer = PortabilityTransfer.objects.get()
    assert transfer.data_request.channel == "self_service"
    assert transfer.data_request.identity_verified_at is not None
    assert not transfer.is_eligible

    detail = client.get(sent["Location"]).content.decode()
    assert "Gatekeeper Ltd" in detail and "Being checked." in detail
    listed = client.get("/me/requests/").content.decode()
    assert "Send my data to another organization" in listed

    # The panel shows the check and refuses with the failed checks as the reason.
    staff = panel_as(world.dpo)
    url = f"/o/acme/dsr/{transfer.data_request_id}/"
    shown = staff.get(url).content.decode()
    assert 'id="transfer-eligibility"' in shown and "R26" in shown
    assert "transfer-approve" not in shown
    staff.post(url + "transfer-refuse/", {"reason": ""})
    transfer.data_request.refresh_from_db()
    assert transfer.data_request.status == "rejected"
    assert "R26" in client.get(sent["Location"]).content.decode()


def test_r46_the_me_form_in_chinese(dw, client):
    _sign_in(client)
    page = client.get("/me/portability/transfer/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and 'lang="zh-hans"' in page.content.decode()


def test_r46_panel_approves_an_eligible_transfer_and_shows_the_link(dw, world, api_as, panel_as):
    filed = _file(api_as(world.dpo, "acme"), dw)
    staff = panel_as(world.dpo)
    url = f"/o/acme/dsr/{filed['data_request']}/"
    assert "transfer-approve" in staff.get(url).content.decode()
    staff.post(url + "transfer-approve/")
    shown = staff.get(url).content.decode()
    assert 'id="transfer-link"' in shown and "/portability/transfers/" in shown
    assert PortabilityTransfer.objects.get().approved_at is not None


def test_r46_direct_import_crosses_the_row_level_security_wall_only_into_the_receiver(
    dw, world, db
):
    """Under the application's ordinary role the DPO's scope is their organization's; the
    import writes the receiver's rows under the receiver's scope, then the scope comes back."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    staff = Actor(kind=Actor.USER, id=str(world.dpo.pk), label="dpo@acme.test")
    transfer = portability_transfer_file(
        subject=dw.subject,
        channel="staff",
        actor=staff,
        identity_check="ID card seen",
        delivery="import",
        receiver_slug="other",
        **{k: v for k, v in RECEIVER.items() if k != "delivery"},
    )
    # The fixture's body, called directly: an ordinary role the wall applies to.
    role = app_role.__wrapped__()
    with _as(role, world.org.pk):
        portability_transfer_approve(transfer=transfer, actor=staff)
        assert connection.rls_current == str(world.org.pk)
        # Scoped to Acme, the new subject at Other Corp is invisible.
        assert not Subject.objects.filter(organization=world.outsider_org).exists()
    rls_scope(None)
    assert Subject.objects.filter(organization=world.outsider_org).count() == 1
