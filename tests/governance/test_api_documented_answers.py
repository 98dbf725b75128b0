"""The two operations the long Schemathesis run left: each answers what the schema says (issue 15).

The fuzz test (tests/portal/test_fuzz.py) calls them against an organization without rows, where
both answer 404; these call them on real rows.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from governance.models import Deployment
from tests.factories import AssessmentFactory, DeploymentFactory
from tests.governance.conftest import png_upload

pytestmark = pytest.mark.django_db

SIGNAGE = "/api/v1/deployments/{id}/signage/"
ATTACHMENT = "/api/v1/assessments/{id}/attachments/{attachment_id}/"


@pytest.fixture(scope="module")
def openapi() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _component(openapi, ref: str) -> dict:
    return openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_signage_schema_requires_location_in_every_documented_body(openapi):
    operation = openapi["paths"][SIGNAGE]["post"]
    bodies = operation["requestBody"]["content"]
    assert bodies  # multipart only: a photo cannot travel in JSON
    for media_type in bodies.values():
        body = _component(openapi, media_type["schema"]["$ref"])
        assert {"photo", "location", "taken_on"} <= set(body["required"])
        assert body["properties"]["location"]["minLength"] == 1
    assert "400" in operation["responses"]


@pytest.mark.parametrize(
    "location",
    [None, "", "   ", "x" * 301],
    ids=["missing", "empty", "blank", "too-long"],
)
def test_signage_without_a_location_is_refused_with_the_documented_400(
    world, api_as, openapi, location
):
    deployment = DeploymentFactory(organization=world.org, place_type="public_place")
    body = {"photo": png_upload(), "taken_on": "2025-03-01"}
    if location is not None:
        body["location"] = location
    response = api_as(world.owner).post(SIGNAGE.format(id=deployment.pk), body, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "location" in response.json()["details"]
    assert not Deployment.objects.get(pk=deployment.pk).signage_photo


def test_signage_location_sent_as_a_file_is_refused(world, api_as):
    deployment = DeploymentFactory(organization=world.org, place_type="public_place")
    response = api_as(world.owner).post(
        SIGNAGE.format(id=deployment.pk),
        {
            "photo": png_upload(),
            "location": SimpleUploadedFile("door.txt", b"Door"),
            "taken_on": "2025-03-01",
        },
        format="multipart",
    )
    assert response.status_code == 400 and "location" in response.json()["details"]


def test_signage_with_a_location_is_stored(world, api_as):
    deployment = DeploymentFactory(organization=world.org, place_type="public_place")
    response = api_as(world.owner).post(
        SIGNAGE.format(id=deployment.pk),
        {"photo": png_upload(), "location": "  North door ", "taken_on": "2025-03-01"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["signage_location"] == "North door"


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("report.txt", b"hello", "text/plain"),
        ("report.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        ("photo.png", b"\x89PNG\r\n\x1a\n", "image/png"),
        ("form.ofd", b"PK\x03\x04", "application/octet-stream"),
    ],
)
def test_attachment_download_answers_a_documented_media_type(
    world, api_as, openapi, name, content, media_type
):
    assessment = AssessmentFactory(deployment=DeploymentFactory(organization=world.org))
    uploaded = api_as(world.dpo).post(
        f"/api/v1/assessments/{assessment.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.json()
    response = api_as(world.auditor).get(
        ATTACHMENT.format(id=assessment.pk, attachment_id=uploaded.json()["id"])
    )
    assert response.status_code == 200
    served = response["Content-Type"].split(";")[0].strip()
    assert served == media_type
    documented = openapi["paths"][ATTACHMENT]["get"]["responses"]["200"]["content"]
    assert served in documented
    assert documented[served]["schema"] == {"type": "string", "format": "binary"}
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")
