"""/api/v1/data-requests/: each request type end to end, roles, and isolation."""

import pytest

from audit.models import AuditEvent
from consent.models import Consent
from dsr.models import DataRequest
from tests.conftest import ROLES
from tests.dsr.conftest import put_face_data
from tests.factories import DataRequestFactory, SubjectFactory

URL = "/api/v1/data-requests/"
HANDLE = {"owner": True, "dpo": True, "operator": False, "auditor": False}


def _file(client, subject, kind, **extra):
    return client.post(
        URL, {"subject": str(subject.pseudonym), "kind": kind, **extra}, format="json"
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_allowed_or_403(dw, world, api_as, role):
    client = api_as(world.user(role))
    row = DataRequestFactory(subject=dw.subject)
    expected = 200 if HANDLE[role] else 403
    assert client.get(URL).status_code == expected
    assert client.get(f"{URL}{row.pk}/").status_code == expected
    assert client.post(f"{URL}{row.pk}/start/").status_code == expected
    created = _file(client, dw.subject, "access", identity_check="ID card")
    assert created.status_code == (201 if HANDLE[role] else 403)


def test_outsider_gets_404_for_another_organizations_request(dw, world, api_as):
    row = DataRequestFactory(subject=dw.subject)
    outsider = api_as(world.outsider)
    assert outsider.get(f"{URL}{row.pk}/").status_code == 404
    assert outsider.post(f"{URL}{row.pk}/complete/", {}, format="json").status_code == 404
    assert outsider.get(f"{URL}{row.pk}/package/").status_code == 404
    assert api_as(world.outsider, "acme").get(URL).status_code == 404
    row.refresh_from_db()
    assert row.status == "identity_verified"


def test_r33_request_for_another_organizations_subject_is_400_and_records_nothing(
    dw, world, api_as
):
    stranger = SubjectFactory(organization=world.outsider_org)
    response = _file(api_as(world.dpo), stranger, "erasure")
    assert response.status_code == 400
    assert response.json()["details"] == {"field": "subject", "values": [str(stranger.pseudonym)]}
    assert not DataRequest.objects.filter(subject=stranger).exists()


def test_api_filed_request_needs_identity_then_access_package(dw, world, api_as):
    client = api_as(world.dpo)
    body = _file(client, dw.subject, "access").json()
    assert body["status"] == "received" and body["due_at"]
    pk = body["id"]
    refused = client.post(f"{URL}{pk}/complete/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "identity_unverified"
    checked = client.post(f"{URL}{pk}/verify-identity/", {"check": "Passport seen"}, format="json")
    assert checked.json()["status"] == "identity_verified"
    assert client.post(f"{URL}{pk}/start/").json()["status"] == "in_progress"
    done = client.post(f"{URL}{pk}/complete/", {}, format="json").json()
    assert done["status"] == "completed" and done["export_expires_at"]
    package = client.get(f"{URL}{pk}/package/")
    assert package.status_code == 200
    assert package.json()["profile"]["email"] == "ann@example.test"
    assert AuditEvent.objects.filter(action="data_request.package_downloaded").count() == 1


def test_api_portability_explanation_objection_restriction(dw, world, api_as):
    client = api_as(world.owner)
    for kind, outcome in (
        ("portability", "exported"),
        ("explanation", "explained"),
        ("objection", "objection_recorded"),
        ("restriction", "restricted"),
    ):
        pk = _file(client, dw.subject, kind, identity_check="Known employee, badge seen").json()[
            "id"
        ]
        done = client.post(f"{URL}{pk}/complete/", {"response": "Answered."}, format="json")
        assert done.status_code == 200, done.json()
        assert done.json()["outcome"] == outcome
    dw.consent.refresh_from_db()
    assert dw.consent.state == Consent.State.RESTRICTED


def test_api_correction_changes_profile(dw, world, api_as):
    client = api_as(world.dpo)
    pk = _file(client, dw.subject, "correction", identity_check="ID card").json()["id"]
    done = client.post(
        f"{URL}{pk}/complete/", {"changes": {"display_name": "Anne Example"}}, format="json"
    ).json()
    assert done["changes"]["fields"] == ["display_name"]
    dw.subject.refresh_from_db()
    assert dw.subject.display_name == "Anne Example"


@pytest.mark.django_db(transaction=True)
def test_api_erasure_attaches_report_and_second_is_already_done(dw, world, api_as):
    put_face_data(dw)
    client = api_as(world.dpo)
    pk = _file(client, dw.subject, "erasure", identity_check="ID card").json()["id"]
    done = client.post(f"{URL}{pk}/complete/", {}, format="json").json()
    assert done["status"] == "completed" and done["verification_report"]["passed"] is True
    again = client.post(f"{URL}{pk}/complete/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    refiled = _file(client, dw.subject, "erasure", identity_check="ID card")
    assert refiled.status_code == 409 and refiled.json()["code"] == "subject_erased"


def test_api_reject_and_extend_need_reasons(dw, world, api_as):
    client = api_as(world.dpo)
    pk = _file(client, dw.subject, "erasure", identity_check="ID card").json()["id"]
    assert client.post(f"{URL}{pk}/extend/", {"reason": ""}, format="json").status_code == 400
    extended = client.post(f"{URL}{pk}/extend/", {"reason": "Backups"}, format="json").json()
    assert extended["status"] == "extended"
    rejected = client.post(f"{URL}{pk}/reject/", {"reason": "Legal claim pending"}, format="json")
    assert rejected.json()["status"] == "rejected"
    assert "court" in rejected.json()["response"]


def test_api_key_can_file_and_list(dw, api_key_client):
    client = api_key_client(dw.org, "dpo")
    assert _file(client, dw.subject, "access").status_code == 201
    assert client.get(URL).json()["count"] == 1
