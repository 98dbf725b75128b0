"""The CompreFace-compatible API when the worker has not finished within the wait (issue 18)."""

import base64

import pytest
from rest_framework.test import APIClient

from audit.actors import Actor
from governance.services.deployments import deployment_revoke_operator
from recognition.models import CompreFaceBinding, Enrollment, RecognitionJob
from recognition.services.compreface import compreface_key_create

pytestmark = pytest.mark.django_db

BASE = "/compreface/api/v1"


@pytest.fixture
def client(rec, settings):
    # No worker runs here (the queued work is never dispatched in a test transaction), and the
    # wait is zero: the answers are those a client gets when the workers are behind.
    settings.COMPREFACE_WAIT_SECONDS = 0
    _key, secret, _binding = compreface_key_create(
        organization=rec.org,
        actor=Actor.system("test"),
        name="gate",
        deployment=rec.deployment,
        purpose=rec.purpose,
    )
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=secret)
    return client


def test_an_example_not_yet_stored_is_accepted_with_its_image_id(rec, client, faces):
    subject = rec.subject("A", external_ref="emp-a")
    rec.consent(subject)
    photo = base64.b64encode(faces.read("obama.jpg")).decode()
    answer = client.post(f"{BASE}/recognition/faces?subject=emp-a", {"file": photo}, format="json")
    assert answer.status_code == 202, answer.json()
    body = answer.json()
    assert body["subject"] == "emp-a" and body["status"] == "queued"
    assert Enrollment.objects.get(public_id=body["image_id"]).subject == subject


def test_a_search_not_yet_finished_answers_503_with_retry_after(rec, client, faces):
    photo = base64.b64encode(faces.read("obama.jpg")).decode()
    answer = client.post(f"{BASE}/detection/detect", {"file": photo}, format="json")
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    body = answer.json()
    assert body["code"] == 42 and body["reason"] == "still_processing"
    assert RecognitionJob.objects.get(public_id=body["id"]).mode == "detect"


def test_a_compreface_host_serves_the_paths_at_api_v1(client, settings):
    settings.COMPREFACE_HOSTS = ["compreface.testserver"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "compreface.testserver"]
    on_host = client.get("/api/v1/recognition/subjects", HTTP_HOST="compreface.testserver")
    assert on_host.status_code == 200 and on_host.json() == {"subjects": []}
    # The portal's own routes do not exist there.
    assert client.get("/api/v1/organization/", HTTP_HOST="compreface.testserver").status_code == 404


def test_bad_parameters_are_compreface_errors(client, faces):
    photo = base64.b64encode(faces.read("obama.jpg")).decode()
    for query in ("limit=-1", "det_prob_threshold=2", "prediction_count=x"):
        answer = client.post(
            f"{BASE}/recognition/recognize?{query}", {"file": photo}, format="json"
        )
        assert answer.status_code == 400 and answer.json()["code"] == 26, query
    missing = client.post(f"{BASE}/recognition/faces?subject=emp-a", {}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == 33
    broken = client.post(f"{BASE}/detection/detect", {"file": "%%%"}, format="json")
    assert broken.status_code == 400 and broken.json()["code"] == 26


def test_a_grant_taken_away_stops_the_key_at_once(rec, client, faces):
    key = CompreFaceBinding.objects.get().api_key
    photo = base64.b64encode(faces.read("obama.jpg")).decode()
    deployment_revoke_operator(
        deployment=rec.deployment, user=key.user, actor=rec.actor, perms=["run_job"]
    )
    refused = client.post(f"{BASE}/detection/detect", {"file": photo}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == 1
    assert client.get(f"{BASE}/recognition/subjects").status_code == 200
    deployment_revoke_operator(
        deployment=rec.deployment, user=key.user, actor=rec.actor, perms=["enroll_faces"]
    )
    refused = client.delete(f"{BASE}/recognition/faces?subject=x")
    assert refused.status_code == 403 and refused.json()["code"] == 1
