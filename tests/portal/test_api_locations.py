"""Every 201 and 202 answer names what it created with an absolute ``Location`` (issue 18).

The walk over the schema checks that each creating operation has somewhere to point; the calls
below check the header itself on each kind of creating action (a ``create``, a detail action,
a collection action, and 202s that queue work).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from tests.recognition.conftest import make_rec_world

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
# Views that set their own Location: the organization's termination run (a singleton), and a
# deployment made from a template (governance/api/go_live.py, tested in tests/governance).
SELF_LOCATED = {"/api/v1/termination-run/", "/api/v1/deployments/from-template/"}
# The CompreFace-compatible API answers in CompreFace's shapes (recognition/compreface).
FOREIGN_PREFIXES = ("/api/v1/recognition/", "/api/v1/verification/", "/api/v1/detection/")


def _creating_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    generator._initialise_endpoints()
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        op = schema["paths"].get(path, {}).get(method.lower())
        if op and {"201", "202"} & set(op["responses"]):
            yield path, view


def test_every_creating_operation_knows_where_its_result_lives():
    missing = []
    walked = 0
    for path, view in _creating_endpoints():
        if path in SELF_LOCATED or path.startswith(FOREIGN_PREFIXES):
            continue
        walked += 1
        action = getattr(view, "action", None)
        if action in getattr(view, "created_paths", {}):
            continue
        if action == "create":
            try:
                reverse(f"api:{view.basename}-detail", args=["1"])
                continue
            except NoReverseMatch:
                try:
                    reverse(
                        f"api:{view.basename}-detail", args=["00000000-0000-0000-0000-000000000000"]
                    )
                    continue
                except NoReverseMatch:
                    pass
        missing.append(f"{path} ({action})")
    assert walked > 15
    assert missing == [], "creating operations with no Location: " + ", ".join(missing)


def _located(response, status=201):
    assert response.status_code == status, response.content
    location = response["Location"]
    assert location.startswith(f"{BASE}/api/v1/"), location
    return location


def test_201s_name_the_created_object_absolutely(world, api_as):
    client = api_as(world.owner)
    subject = client.post("/api/v1/subjects/", {"display_name": "Ann"}, format="json")
    location = _located(subject)
    assert location == f"{BASE}/api/v1/subjects/{subject.json()['pseudonym']}/"
    assert client.get(location).json()["pseudonym"] == subject.json()["pseudonym"]

    deployment = client.post(
        "/api/v1/deployments/",
        {"name": "Gate", "address": "1 Road", "province": "Shanghai", "place_type": "workplace"},
        format="json",
    )
    location = _located(deployment)
    assert location == f"{BASE}/api/v1/deployments/{deployment.json()['id']}/"
    device = client.post(
        f"/api/v1/deployments/{deployment.json()['id']}/devices/",
        {"identifier": "gate-1", "kind": "access_gate"},
        format="json",
    )
    assert _located(device) == location

    rotated = client.post("/api/v1/signing-keys/rotate/")
    assert _located(rotated) == f"{BASE}/api/v1/signing-keys/"


def test_202s_name_the_queued_work_absolutely(world, faces, api_as):
    rec = make_rec_world(world)
    client = api_as(rec.world.owner)
    subject = rec.subject("Ann")
    rec.consent(subject)
    enrollment = client.post(
        "/api/v1/enrollments/",
        {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "subject": str(subject.pseudonym),
            "image": SimpleUploadedFile("a.jpg", faces.read("obama.jpg"), "image/jpeg"),
        },
        format="multipart",
    )
    location = _located(enrollment, 202)
    assert location == enrollment.json()["url"]
    assert location == f"{BASE}/api/v1/enrollments/{enrollment.json()['id']}/"
    assert client.get(location).json()["id"] == enrollment.json()["id"]

    calibration = client.post(f"/api/v1/accuracy-reports/{rec.purpose.pk}/calibrate/")
    assert _located(calibration, 202) == f"{BASE}/api/v1/accuracy-reports/{rec.purpose.pk}/"
