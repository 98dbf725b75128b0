"""/api/v1/compreface-keys/: CompreFace-compatible keys, bound, audited, least privilege."""

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from governance.models import DeploymentPurpose
from recognition.models import CompreFaceBinding
from tenants.models import ApiKey
from tests.factories import DeploymentFactory, PurposeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/compreface-keys/"


def test_owner_creates_a_bound_key_that_works_on_the_compreface_api_only(rec, api_as):
    owner = api_as(rec.world.owner)
    answer = owner.post(
        URL,
        {"name": "Gate", "deployment": rec.deployment.pk, "purpose": rec.purpose.pk},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["grants"] == ["enroll_faces", "run_job", "view_results"]
    assert answer["Location"].endswith(f"{URL}{body['id']}/")
    key = ApiKey.objects.get(pk=body["id"])
    assert key.scope == ApiKey.Scope.COMPREFACE and key.role == "operator"
    binding = CompreFaceBinding.objects.get(api_key=key)
    assert (binding.deployment, binding.purpose) == (rec.deployment, rec.purpose)
    assert AuditEvent.objects.filter(
        action="recognition.compreface_key_bound", target_id=str(key.pk)
    ).exists()

    compat = APIClient().get("/compreface/api/v1/recognition/subjects", HTTP_X_API_KEY=body["key"])
    assert compat.status_code == 200 and compat.json() == {"subjects": []}
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {body['key']}")
    assert bearer.get("/api/v1/organization/").status_code == 401

    listed = owner.get(URL).json()["results"]
    assert [k["id"] for k in listed] == [key.pk]
    assert owner.post(f"/api/v1/api-keys/{key.pk}/revoke/").status_code == 200
    refused = APIClient().get("/compreface/api/v1/recognition/subjects", HTTP_X_API_KEY=body["key"])
    assert refused.status_code == 401 and refused.json()["code"] == 10


def test_r2_a_purpose_not_declared_for_the_deployment_is_refused(rec, api_as):
    other_purpose = PurposeFactory(organization=rec.org, name="Canteen")
    answer = api_as(rec.world.owner).post(
        URL,
        {"name": "Gate", "deployment": rec.deployment.pk, "purpose": other_purpose.pk},
        format="json",
    )
    assert answer.status_code == 422 and answer.json()["code"] == "purpose_not_attached"
    assert not ApiKey.objects.filter(name="Gate").exists()


def test_only_key_managers_create_them(rec, api_as):
    data = {"name": "Gate", "deployment": rec.deployment.pk, "purpose": rec.purpose.pk}
    for role in ("dpo", "operator", "auditor"):
        answer = api_as(rec.world.user(role)).post(URL, data, format="json")
        assert answer.status_code == 403, role
    assert not CompreFaceBinding.objects.exists()


def test_another_organizations_deployment_and_keys_are_out_of_reach(rec, world, api_as):
    theirs = DeploymentFactory(organization=world.outsider_org, status="active")
    their_purpose = PurposeFactory(organization=world.outsider_org)
    DeploymentPurpose.objects.create(deployment=theirs, purpose=their_purpose)
    owner = api_as(rec.world.owner)
    answer = owner.post(
        URL, {"name": "x", "deployment": theirs.pk, "purpose": their_purpose.pk}, format="json"
    )
    assert answer.status_code == 400 and answer.json()["code"] == "unknown_reference"
    created = owner.post(
        URL,
        {"name": "Gate", "deployment": rec.deployment.pk, "purpose": rec.purpose.pk},
        format="json",
    ).json()
    outsider = api_as(world.outsider)
    assert outsider.get(URL).json()["results"] == []
    assert outsider.get(f"{URL}{created['id']}/").status_code == 404
