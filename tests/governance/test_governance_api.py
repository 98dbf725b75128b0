"""Every governance endpoint: another organization's objects are 404; roles as roles.py says."""

import pytest

from governance.models import Deployment, Incident, Notice, Purpose
from tests.factories import (
    AssessmentFactory,
    DeploymentFactory,
    IncidentFactory,
    NoticeFactory,
    PurposeFactory,
)
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(world):
    deployment = make_ready(world.org)
    purpose = deployment.purposes.get()
    return {
        "deployments": deployment.pk,
        "purposes": purpose.pk,
        "notices": NoticeFactory(purpose_version=purpose.current_version).pk,
        "assessments": deployment.assessments.get().pk,
        "incidents": IncidentFactory(organization=world.org).pk,
    }


@pytest.mark.parametrize(
    "resource", ["deployments", "purposes", "notices", "assessments", "incidents"]
)
def test_outsider_gets_404_on_acme_objects(world, api_as, acme, resource):
    client = api_as(world.outsider)
    pk = acme[resource]
    assert client.get(f"/api/v1/{resource}/{pk}/").status_code == 404
    assert (
        client.patch(f"/api/v1/{resource}/{pk}/", {"title": "x"}, format="json").status_code == 404
    )
    assert client.get(f"/api/v1/{resource}/").json()["count"] == 0


def test_outsider_cannot_activate_or_grant_on_acme_deployment(world, api_as, acme):
    client = api_as(world.outsider)
    pk = acme["deployments"]
    assert client.post(f"/api/v1/deployments/{pk}/activate/").status_code == 404
    response = client.post(
        f"/api/v1/deployments/{pk}/grants/", {"user_id": world.outsider.pk}, format="json"
    )
    assert response.status_code == 404
    assert Deployment.objects.get(pk=pk).status == "draft"


def test_r33_cross_org_references_in_bodies_are_400_naming_the_field(world, api_as):
    theirs = DeploymentFactory(organization=world.outsider_org)
    their_purpose = PurposeFactory(organization=world.outsider_org)
    mine = DeploymentFactory(organization=world.org)
    client = api_as(world.owner)
    response = client.post(
        f"/api/v1/deployments/{mine.pk}/purposes/", {"purpose": their_purpose.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["details"] == {"field": "purpose", "values": [str(their_purpose.pk)]}
    response = client.post(
        "/api/v1/assessments/", {"deployment": theirs.pk, "title": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_reference"
    assert response.json()["message"].startswith("deployment: ")
    assert not mine.purposes.exists()


READS = [
    "/api/v1/deployments/",
    "/api/v1/purposes/",
    "/api/v1/notices/",
    "/api/v1/assessments/",
    "/api/v1/incidents/",
    "/api/v1/filings/",
    "/api/v1/compliance/",
]


@pytest.mark.parametrize("role", ["owner", "dpo", "operator", "auditor"])
def test_every_role_reads_governance(world, api_as, role):
    client = api_as(world.user(role))
    for url in READS:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("role", "allowed"), [("owner", True), ("dpo", True), ("operator", False), ("auditor", False)]
)
def test_only_owner_and_dpo_manage_governance(world, api_as, role, allowed):
    client = api_as(world.user(role))
    response = client.post(
        "/api/v1/deployments/",
        {"name": "Gate", "address": "1 Road", "province": "SH", "place_type": "workplace"},
        format="json",
    )
    assert response.status_code == (201 if allowed else 403)
    assert Deployment.objects.exists() is allowed


@pytest.mark.parametrize("role", ["operator", "auditor"])
def test_readers_cannot_change_anything(world, api_as, acme, role):
    client = api_as(world.user(role))
    d = acme["deployments"]
    for method, url in [
        ("post", f"/api/v1/deployments/{d}/activate/"),
        ("post", f"/api/v1/deployments/{d}/devices/"),
        ("post", f"/api/v1/deployments/{d}/grants/"),
        ("patch", f"/api/v1/purposes/{acme['purposes']}/"),
        ("post", f"/api/v1/notices/{acme['notices']}/publish/"),
        ("delete", f"/api/v1/incidents/{acme['incidents']}/"),
        ("post", f"/api/v1/incidents/{acme['incidents']}/close/"),
        ("post", "/api/v1/filings/evaluate/"),
    ]:
        status = getattr(client, method)(url, {}, format="json").status_code
        assert status in (403, 405), (url, status)
    assert Deployment.objects.get(pk=d).status == "draft"
    assert Notice.objects.get(pk=acme["notices"]).status == "draft"
    assert Incident.objects.get(pk=acme["incidents"]).status == "open"


def test_api_key_of_another_org_sees_nothing(world, api_key_client, acme):
    client = api_key_client(world.outsider_org, "owner")
    assert client.get(f"/api/v1/deployments/{acme['deployments']}/").status_code == 404
    assert client.get("/api/v1/purposes/").json()["count"] == 0


def test_r7_banned_place_activation_through_the_api_changes_nothing(world, api_as):
    deployment = make_ready(world.org, place_type="public_bathhouse")
    client = api_as(world.owner)
    response = client.post(f"/api/v1/deployments/{deployment.pk}/activate/")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "rules_unmet"
    assert [d["rule"] for d in body["details"]] == ["R7"]
    assert body["details"][0]["message"]
    # A status field in a PATCH is not an activation route.
    client.patch(f"/api/v1/deployments/{deployment.pk}/", {"status": "active"}, format="json")
    assert Deployment.objects.get(pk=deployment.pk).status == "draft"


def test_r7_active_deployment_moved_to_banned_place_via_api_is_refused(world, api_as, actor):
    from governance.services import deployment_activate

    deployment = make_ready(world.org)
    deployment_activate(deployment=deployment, actor=actor)
    response = api_as(world.owner).patch(
        f"/api/v1/deployments/{deployment.pk}/", {"place_type": "hotel_guest_room"}, format="json"
    )
    assert response.status_code == 422 and response.json()["details"][0]["rule"] == "R7"
    assert Deployment.objects.get(pk=deployment.pk).place_type == "workplace"


def test_api_activation_lists_unmet_rules(world, api_as):
    deployment = DeploymentFactory(organization=world.org, place_type="public_place")
    response = api_as(world.dpo).post(f"/api/v1/deployments/{deployment.pk}/activate/")
    assert response.status_code == 422
    rules = {d["rule"] for d in response.json()["details"]}
    assert {"R2", "R6", "R27"} <= rules
    assert all({"rule", "message", "fix_url"} <= set(d) for d in response.json()["details"])


def test_api_grant_lets_an_operator_run_jobs_on_one_deployment(world, api_as):
    from tenants import roles

    granted = DeploymentFactory(organization=world.org)
    response = api_as(world.owner).post(
        f"/api/v1/deployments/{granted.pk}/grants/",
        {"user_id": world.operator.pk, "permissions": ["run_job"]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == [
        {
            "user_id": world.operator.pk,
            "username": world.operator.username,
            "permissions": ["run_job"],
        }
    ]
    operator = type(world.operator).objects.get(pk=world.operator.pk)
    assert operator.has_perm(roles.RUN_JOB, granted)
    response = api_as(world.owner).delete(
        f"/api/v1/deployments/{granted.pk}/grants/{world.operator.pk}/"
    )
    assert response.status_code == 204
    operator = type(world.operator).objects.get(pk=world.operator.pk)
    assert not operator.has_perm(roles.RUN_JOB, granted)


def test_api_devices_and_signage(world, api_as):
    from tests.governance.conftest import png_upload

    deployment = DeploymentFactory(organization=world.org, place_type="public_place")
    client = api_as(world.owner)
    response = client.post(
        f"/api/v1/deployments/{deployment.pk}/devices/",
        {"identifier": "cam-1", "kind": "camera"},
        format="json",
    )
    assert response.status_code == 201
    again = client.post(
        f"/api/v1/deployments/{deployment.pk}/devices/",
        {"identifier": "cam-1", "kind": "camera"},
        format="json",
    )
    assert again.status_code == 409
    response = client.post(
        f"/api/v1/deployments/{deployment.pk}/signage/",
        {"photo": png_upload(), "location": "Door", "taken_on": "2025-03-01"},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["has_signage_photo"] is True
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        f"/api/v1/deployments/{deployment.pk}/signage/",
        {
            "photo": SimpleUploadedFile("x.png", b"nope"),
            "location": "Door",
            "taken_on": "2025-03-01",
        },
        format="multipart",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_file"


def test_purpose_in_use_cannot_be_deleted(world, api_as, acme):
    response = api_as(world.owner).delete(f"/api/v1/purposes/{acme['purposes']}/")
    assert response.status_code == 409
    assert Purpose.objects.filter(pk=acme["purposes"]).exists()


def test_assessment_of_other_org_is_not_listed(world, api_as):
    AssessmentFactory(deployment=DeploymentFactory(organization=world.outsider_org))
    assert api_as(world.owner).get("/api/v1/assessments/").json()["count"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/incidents/?deployment={deployment}",
        "/api/v1/assessments/?deployment={deployment}",
        "/api/v1/notices/?purpose_version={version}",
    ],
)
def test_r33_filter_by_another_organizations_id_answers_as_a_missing_one(world, api_as, url):
    """A filter naming another organization's row is refused like a non-existent one (no
    empty 200 that would confirm the id exists elsewhere)."""
    theirs = PurposeFactory(organization=world.outsider_org)
    deployment = DeploymentFactory(organization=world.outsider_org)
    client = api_as(world.owner)
    foreign = client.get(url.format(deployment=deployment.pk, version=theirs.current_version_id))
    missing = client.get(url.format(deployment=2_000_000_000, version=2_000_000_000))
    assert foreign.status_code == missing.status_code == 400
    mine = DeploymentFactory(organization=world.org)
    version = PurposeFactory(organization=world.org).current_version_id
    assert client.get(url.format(deployment=mine.pk, version=version)).status_code == 200
