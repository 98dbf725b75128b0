"""Every consent endpoint: another organization's rows are 404; each role as tenants.roles says."""

import pytest
from guardian.shortcuts import assign_perm

from consent.models import Consent, MinorDataRules, SigningKey, Subject

pytestmark = pytest.mark.django_db

VIEW = {"owner": 200, "dpo": 200, "operator": 200, "auditor": 200}
MANAGE = {"owner": True, "dpo": True, "operator": True, "auditor": False}
HANDLE = {"owner": True, "dpo": True, "operator": False, "auditor": False}
GOVERN = {"owner": True, "dpo": True, "operator": False, "auditor": False}
ROLES = ["owner", "dpo", "operator", "auditor"]


def _grant_body(cw, **overrides):
    body = {
        "subject": str(cw.subject.pseudonym),
        "purpose_version": cw.version.pk,
        "notice": cw.notice.pk,
        "kind": "separate",
        "channel": "kiosk",
        "consent_ui_version": "kiosk-3",
        "face_processing": True,
        "central_storage": False,
        "raw_images": False,
    }
    return body | overrides


@pytest.mark.parametrize("role", ROLES)
def test_subject_list_and_detail_by_role(cw, world, api_as, role):
    client = api_as(world.user(role))
    assert client.get("/api/v1/subjects/").status_code == VIEW[role]
    response = client.get(f"/api/v1/subjects/{cw.subject.pseudonym}/")
    assert response.status_code == 200
    assert response.json()["pseudonym"] == str(cw.subject.pseudonym)


@pytest.mark.parametrize("role", ROLES)
def test_subject_create_by_role(cw, world, api_as, role):
    before = Subject.objects.count()
    response = api_as(world.user(role)).post(
        "/api/v1/subjects/", {"display_name": "New", "date_of_birth": "1980-01-01"}, format="json"
    )
    assert response.status_code == (201 if MANAGE[role] else 403)
    assert Subject.objects.count() == before + (1 if MANAGE[role] else 0)


@pytest.mark.parametrize("role", ROLES)
def test_subject_erase_by_role(cw, world, api_as, role):
    response = api_as(world.user(role)).post(f"/api/v1/subjects/{cw.subject.pseudonym}/erase/")
    assert response.status_code == (200 if HANDLE[role] else 403)
    cw.subject.refresh_from_db()
    assert cw.subject.is_erased == HANDLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_consent_grant_by_role(cw, world, api_as, role):
    # An operator records consents only where granted (tests/recognition/test_separation_of_duties).
    assign_perm("governance.run_job", world.operator, cw.deployment)
    response = api_as(world.user(role)).post("/api/v1/consents/", _grant_body(cw), format="json")
    assert response.status_code == (201 if MANAGE[role] else 403)
    assert Consent.objects.count() == (1 if MANAGE[role] else 0)
    if MANAGE[role]:
        body = response.json()
        assert body["consent"]["state"] == "active"
        assert body["receipt"]["document"]["signature"]["alg"] == "EdDSA"


@pytest.mark.parametrize("role", ROLES)
def test_consent_withdraw_by_role(cw, world, api_as, role):
    consent, _ = cw.grant()
    response = api_as(world.user(role)).post(f"/api/v1/consents/{consent.public_id}/withdraw/")
    assert response.status_code == (200 if MANAGE[role] else 403)
    consent.refresh_from_db()
    assert consent.state == ("withdrawn" if MANAGE[role] else "active")


@pytest.mark.parametrize("role", ROLES)
def test_consent_read_and_restrict_by_role(cw, world, api_as, role):
    consent, _ = cw.grant()
    client = api_as(world.user(role))
    detail = client.get(f"/api/v1/consents/{consent.public_id}/")
    assert detail.status_code == 200
    assert [e["type"] for e in detail.json()["events"]] == ["given"]
    assert client.get(f"/api/v1/consents/{consent.public_id}/receipts/").status_code == 200
    response = client.post(
        f"/api/v1/consents/{consent.public_id}/restrict/", {"reason": "legal hold"}, format="json"
    )
    assert response.status_code == (200 if HANDLE[role] else 403)
    consent.refresh_from_db()
    assert consent.state == ("restricted" if HANDLE[role] else "active")


@pytest.mark.parametrize("role", ROLES)
def test_minor_rules_and_signing_keys_by_role(cw, world, api_as, role):
    client = api_as(world.user(role))
    assert client.get("/api/v1/minor-rules/").status_code == 200
    response = client.post(
        "/api/v1/minor-rules/", {"title": "Children", "body": "Guardian only."}, format="json"
    )
    assert response.status_code == (201 if GOVERN[role] else 403)
    assert MinorDataRules.objects.count() == (1 if GOVERN[role] else 0)
    assert client.get("/api/v1/signing-keys/").status_code == 200
    rotated = client.post("/api/v1/signing-keys/rotate/")
    assert rotated.status_code == (201 if GOVERN[role] else 403)
    assert SigningKey.objects.count() == (1 if GOVERN[role] else 0)


def test_outsider_cannot_name_the_organization(cw, world, api_as):
    response = api_as(world.outsider, "acme").get("/api/v1/subjects/")
    assert response.status_code == 404


def test_outsider_gets_404_for_another_organizations_rows_and_changes_nothing(cw, world, api_as):
    consent, _ = cw.grant()
    client = api_as(world.outsider)
    assert client.get(f"/api/v1/subjects/{cw.subject.pseudonym}/").status_code == 404
    assert client.get(f"/api/v1/consents/{consent.public_id}/").status_code == 404
    assert client.post(f"/api/v1/consents/{consent.public_id}/withdraw/").status_code == 404
    assert client.post(f"/api/v1/subjects/{cw.subject.pseudonym}/erase/").status_code == 404
    assert client.get("/api/v1/consents/").json()["count"] == 0
    consent.refresh_from_db()
    assert consent.state == "active"
    assert not Subject.objects.get(pk=cw.subject.pk).is_erased


def test_outsider_cannot_grant_with_another_organizations_subject_or_notice(cw, world, api_as):
    response = api_as(world.outsider).post("/api/v1/consents/", _grant_body(cw), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_reference"
    assert Consent.objects.count() == 0


def test_api_key_operator_can_grant_and_withdraw(cw, world, api_key_client):
    client = api_key_client(world.org, "operator")
    assign_perm("governance.enroll_faces", client.api_key.user, cw.deployment)
    created = client.post("/api/v1/consents/", _grant_body(cw), format="json")
    assert created.status_code == 201
    consent_id = created.json()["consent"]["id"]
    assert (
        client.post(f"/api/v1/consents/{consent_id}/withdraw/").json()["consent"]["state"]
        == "withdrawn"
    )


def test_grant_with_missing_item_answer_is_invalid_and_changes_nothing(cw, world, api_as):
    body = _grant_body(cw)
    del body["central_storage"]
    response = api_as(world.owner).post("/api/v1/consents/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Consent.objects.count() == 0


def test_receipt_verify_endpoint_is_public(cw, client):
    response = client.post(
        "/api/v1/receipts/verify/", {"receipt": {"x": 1}}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["valid"] is False
