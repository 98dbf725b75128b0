"""Idempotency-Key on the API's creating requests (issue 18): a retry creates nothing new."""

import uuid
from datetime import timedelta

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from guardian.models import UserObjectPermission

from audit.models import AuditEvent
from consent.models import Consent, MinorDataRules, SigningKey, Subject
from dsr.models import DataRequest
from governance.models import (
    Assessment,
    AssessmentAttachment,
    Deployment,
    DeploymentPurpose,
    Device,
    Incident,
    Notice,
    Purpose,
)
from recognition.models import Enrollment, RecognitionJob
from tenants.idempotency import request_fingerprint
from tenants.models import IdempotencyKey, Invitation
from tenants.services.idempotency import idempotency_keys_purge
from tests.factories import DeploymentFactory
from tests.governance.conftest import png_upload
from tests.recognition.conftest import make_rec_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(world):
    return make_rec_world(world)


@pytest.fixture
def owner(rec, api_key_client):
    return api_key_client(rec.org, "owner")


@pytest.fixture
def photo(faces):
    return lambda name="obama.jpg": SimpleUploadedFile(name, faces.read(name), "image/jpeg")


def _consenting(rec):
    subject = rec.subject("Ann")
    rec.consent(subject)
    return subject


PURPOSE = {
    "name": "Lobby check-in",
    "kind": "verify_1to1",
    "description": "Check in invited visitors.",
    "method": "1:1 comparison with the invitation photo.",
    "necessity_justification": "Invitations are forwarded.",
    "alternatives": ["Identity document check"],
    "retention_days": 7,
}
INCIDENT = {
    "title": "List left on the printer",
    "severity": "minor",
    "data_types": "Names",
    "cause": "Printed",
    "possible_harm": "Seen by visitors",
    "remedial_measures": "Shredded",
    "individual_steps": "None",
    "contact": "dpo@acme.test",
}

# operationId: (path, body builder (rec, photo) -> (data, format), model counted)
CASES = {
    "subjects_create": (
        "/api/v1/subjects/",
        lambda r, p: ({"display_name": "Bo"}, "json"),
        Subject,
    ),
    "consents_create": (
        "/api/v1/consents/",
        lambda r, p: (
            {
                "subject": str(r.subject("Cy").pseudonym),
                "purpose_version": r.purpose.current_version_id,
                "notice": r.notice.pk,
                "kind": "separate",
                "channel": "kiosk",
                "consent_ui_version": "kiosk-3",
                "face_processing": True,
                "central_storage": True,
                "raw_images": False,
            },
            "json",
        ),
        Consent,
    ),
    "enrollments_create": (
        "/api/v1/enrollments/",
        lambda r, p: (
            {
                "deployment": r.deployment.pk,
                "purpose": r.purpose.pk,
                "subject": str(_consenting(r).pseudonym),
                "image": p(),
            },
            "multipart",
        ),
        Enrollment,
    ),
    "recognition_jobs_create": (
        "/api/v1/recognition-jobs/",
        lambda r, p: (
            {
                "deployment": r.deployment.pk,
                "purpose": r.purpose.pk,
                "mode": "identify",
                "images": [p(), p("two_people.jpg")],
            },
            "multipart",
        ),
        RecognitionJob,
    ),
    "data_requests_create": (
        "/api/v1/data-requests/",
        lambda r, p: ({"subject": str(r.subject("Di").pseudonym), "kind": "access"}, "json"),
        DataRequest,
    ),
    "deployments_create": (
        "/api/v1/deployments/",
        lambda r, p: (
            {
                "name": "Side door",
                "address": "1 Road",
                "province": "Shanghai",
                "place_type": "workplace",
            },
            "json",
        ),
        Deployment,
    ),
    "deployments_devices_create": (
        "/api/v1/deployments/{deployment}/devices/",
        lambda r, p: ({"identifier": "GATE-9", "kind": "access_gate"}, "json"),
        Device,
    ),
    "purposes_create": ("/api/v1/purposes/", lambda r, p: (PURPOSE, "json"), Purpose),
    "notices_create": (
        "/api/v1/notices/",
        lambda r, p: (
            {"purpose_version": r.purpose.current_version_id, "language": "zh-hans"},
            "json",
        ),
        Notice,
    ),
    "assessments_create": (
        "/api/v1/assessments/",
        lambda r, p: ({"deployment": r.deployment.pk, "title": "PIA again"}, "json"),
        Assessment,
    ),
    "incidents_create": ("/api/v1/incidents/", lambda r, p: (INCIDENT, "json"), Incident),
    "minor_rules_create": (
        "/api/v1/minor-rules/",
        lambda r, p: ({"title": "Minors", "body": "Rules for children."}, "json"),
        MinorDataRules,
    ),
    "deployments_from_template_create": (
        "/api/v1/deployments/from-template/",
        lambda r, p: (
            {
                "template": "staff_access_control",
                "name": "Gate",
                "address": "1 Road",
                "province": "Shanghai",
            },
            "json",
        ),
        Deployment,
    ),
    "deployments_purposes_create": (
        "/api/v1/deployments/{draft}/purposes/",
        lambda r, p: ({"purpose": r.purpose.pk}, "json"),
        DeploymentPurpose,
    ),
    "deployments_grants_create": (
        "/api/v1/deployments/{deployment}/grants/",
        lambda r, p: ({"user_id": r.world.operator.pk, "permissions": ["run_job"]}, "json"),
        UserObjectPermission,
    ),
    "assessments_reassess_create": (
        "/api/v1/assessments/{assessment}/reassess/",
        lambda r, p: ({}, "json"),
        Assessment,
    ),
    "assessments_attachments_create": (
        "/api/v1/assessments/{assessment}/attachments/",
        lambda r, p: ({"file": png_upload("risk.png"), "name": "Risk map"}, "multipart"),
        AssessmentAttachment,
    ),
    "signing_keys_rotate_create": (
        "/api/v1/signing-keys/rotate/",
        lambda r, p: ({}, "json"),
        SigningKey,
    ),
    "consents_decline_create": (
        "/api/v1/consents/decline/",
        lambda r, p: (
            {
                "subject": str(r.subject("Ed").pseudonym),
                "purpose_version": r.purpose.current_version_id,
                "channel": "kiosk",
            },
            "json",
        ),
        lambda: AuditEvent.objects.filter(action="consent.declined").count(),
    ),
    "invitations_create": (
        "/api/v1/invitations/",
        lambda r, p: ({"email": "new@acme.test", "role": "auditor"}, "json"),
        Invitation,
    ),
}


def _post(client, path, data, fmt, key):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(path, data, format=fmt, **headers)


@pytest.mark.parametrize("operation", sorted(CASES))
def _count(counted) -> int:
    return counted.objects.count() if isinstance(counted, type) else counted()


def _rewind(data: dict) -> None:
    """Put every file of a multipart body back at its start, to send the same body again."""
    for value in data.values():
        for item in value if isinstance(value, list) else [value]:
            if hasattr(item, "seek"):
                item.seek(0)


@pytest.mark.parametrize("operation", sorted(CASES))
def test_the_same_post_twice_with_one_key_creates_one_object(operation, rec, owner, photo):
    path, build, counted = CASES[operation]
    approved = Assessment.objects.get(deployment=rec.deployment)
    draft = DeploymentFactory(organization=rec.org)
    path = path.format(deployment=rec.deployment.pk, draft=draft.pk, assessment=approved.pk)
    data, fmt = build(rec, photo)
    before = _count(counted)
    key = str(uuid.uuid4())

    first = _post(owner, path, data, fmt, key)
    assert first.status_code in (201, 202, 204), first.content
    _rewind(data)
    second = _post(owner, path, data, fmt, key)

    assert second.status_code == first.status_code
    assert second.content == first.content
    assert second.headers.get("Location") == first.headers.get("Location")
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(counted) == before + 1


def test_the_same_key_with_another_body_is_a_422(rec, owner):
    key = "retry-1"
    assert _post(owner, "/api/v1/subjects/", {"display_name": "Bo"}, "json", key).status_code == 201
    response = _post(owner, "/api/v1/subjects/", {"display_name": "Eve"}, "json", key)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Subject.objects.filter(display_name="Eve").count() == 0


def test_the_same_key_on_another_operation_is_a_422(rec, owner):
    assert _post(owner, "/api/v1/incidents/", INCIDENT, "json", "k").status_code == 201
    response = _post(owner, "/api/v1/purposes/", PURPOSE, "json", "k")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


def test_without_a_key_each_post_creates(rec, owner):
    for _ in range(2):
        assert (
            _post(owner, "/api/v1/subjects/", {"display_name": "Bo"}, "json", None).status_code
            == 201
        )
    assert Subject.objects.filter(display_name="Bo").count() == 2
    assert not IdempotencyKey.objects.exists()


def test_keys_of_another_organization_do_not_collide(rec, world, owner, api_key_client):
    outsider = api_key_client(world.outsider_org, "owner")
    body = {"display_name": "Bo"}
    mine = _post(owner, "/api/v1/subjects/", body, "json", "same-key")
    theirs = _post(outsider, "/api/v1/subjects/", body, "json", "same-key")

    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert mine.json()["pseudonym"] != theirs.json()["pseudonym"]
    assert Subject.objects.for_org(world.outsider_org).count() == 1


def test_keys_of_two_api_keys_of_one_organization_do_not_collide(rec, owner, api_key_client):
    other = api_key_client(rec.org, "owner")
    body = {"display_name": "Bo"}
    first = _post(owner, "/api/v1/subjects/", body, "json", "k")
    second = _post(other, "/api/v1/subjects/", body, "json", "k")

    assert first.json()["pseudonym"] != second.json()["pseudonym"]


def test_a_refused_request_keeps_nothing_and_its_retry_runs_again(rec, owner, photo):
    stranger = rec.subject("Fay")
    data = {
        "deployment": rec.deployment.pk,
        "purpose": rec.purpose.pk,
        "subject": str(stranger.pseudonym),
        "image": photo(),
    }
    refused = _post(owner, "/api/v1/enrollments/", data, "multipart", "enroll-fay")
    assert refused.status_code == 422
    assert refused.json()["code"] == "consent_required"
    assert not IdempotencyKey.objects.exists()

    rec.consent(stranger)
    retried = _post(
        owner, "/api/v1/enrollments/", data | {"image": photo()}, "multipart", "enroll-fay"
    )
    assert retried.status_code == 202
    assert Enrollment.objects.filter(subject=stranger).count() == 1


def test_a_duplicate_while_the_first_is_in_flight_is_a_409_with_retry_after(rec, owner):
    body = {"display_name": "Bo"}
    IdempotencyKey.objects.create(
        organization=rec.org,
        caller=f"key:{owner.api_key.pk}",
        key="busy",
        fingerprint="unused",
        path="/api/v1/subjects/",
        expires_at=timezone.now() + timedelta(days=1),
    )
    IdempotencyKey.objects.filter(key="busy").update(
        fingerprint=request_fingerprint(_FakeRequest("/api/v1/subjects/", body))
    )
    response = _post(owner, "/api/v1/subjects/", body, "json", "busy")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_progress"
    assert response.headers["Retry-After"] == "1"
    assert not Subject.objects.filter(display_name="Bo").exists()


class _FakeRequest:
    method = "POST"

    def __init__(self, path, data):
        self.path, self.data = path, data

    def get_full_path(self):
        return self.path


def test_an_abandoned_claim_is_taken_over_after_the_lease(rec, owner, settings):
    IdempotencyKey.objects.create(
        organization=rec.org,
        caller=f"key:{owner.api_key.pk}",
        key="died",
        fingerprint="x",
        path="/api/v1/subjects/",
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_IN_FLIGHT_SECONDS + 1),
        expires_at=timezone.now() + timedelta(days=1),
    )
    response = _post(owner, "/api/v1/subjects/", {"display_name": "Bo"}, "json", "died")

    assert response.status_code == 201
    assert IdempotencyKey.objects.get(key="died").status_code == 201


def test_an_expired_key_runs_the_request_again(rec, owner):
    first = _post(owner, "/api/v1/subjects/", {"display_name": "Bo"}, "json", "old")
    IdempotencyKey.objects.filter(key="old").update(expires_at=timezone.now())
    second = _post(owner, "/api/v1/subjects/", {"display_name": "Bo"}, "json", "old")

    assert second.status_code == 201
    assert second.json()["pseudonym"] != first.json()["pseudonym"]


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "has space"])
def test_a_malformed_key_is_a_400(rec, owner, key):
    response = _post(owner, "/api/v1/subjects/", {"display_name": "Bo"}, "json", key)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not Subject.objects.exists()


def test_the_beat_purges_expired_keys(rec, owner, settings):
    from portal.settings_celery import beat_schedule

    _post(owner, "/api/v1/subjects/", {"display_name": "Bo"}, "json", "a")
    _post(owner, "/api/v1/subjects/", {"display_name": "Cy"}, "json", "b")
    IdempotencyKey.objects.filter(key="a").update(expires_at=timezone.now() - timedelta(hours=1))

    assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["b"]
    schedule = beat_schedule(audit_seal_interval=1, audit_checkpoint_interval=1, reclaim_interval=1)
    assert schedule["tenants-purge-idempotency-keys"]["task"] == "tenants.purge_idempotency_keys"


def test_erasing_a_subject_forgets_the_answers_that_name_them(rec, owner, api_key_client):
    created = _post(owner, "/api/v1/subjects/", {"display_name": "Gus"}, "json", "gus")
    other = _post(owner, "/api/v1/subjects/", {"display_name": "Hal"}, "json", "hal")
    pseudonym = created.json()["pseudonym"]
    dpo = api_key_client(rec.org, "dpo")

    assert dpo.post(f"/api/v1/subjects/{pseudonym}/erase/").status_code == 200

    assert not IdempotencyKey.objects.filter(key="gus").exists()
    assert IdempotencyKey.objects.filter(key="hal").exists()
    assert other.status_code == 201


# Their answers hold a new secret, which is never kept: no Idempotency-Key.
SECRET_ANSWERS = {"api_keys_create", "compreface_keys_create"}


def test_every_creating_operation_documents_the_header(tmp_path):
    """Every POST answering 201 or 202 takes Idempotency-Key, except those creating a key."""
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    missing, documented = [], set()
    for item in schema["paths"].values():
        operation = item.get("post")
        if operation is None:
            continue
        names = {p.get("name") for p in operation.get("parameters", [])}
        creates = {"201", "202"} & set(operation["responses"])
        if "Idempotency-Key" in names:
            documented.add(operation["operationId"])
        elif creates and operation["operationId"] not in SECRET_ANSWERS:
            missing.append(operation["operationId"])

    assert missing == []
    assert set(CASES) <= documented


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_is_told_to_retry_and_then_gets_the_first_answer(
    world, live_server, monkeypatch
):
    """Two requests with one key at once: the second is a 409 while the first runs, never a
    second subject; a retry after the first answered gets its answer."""
    import json
    import threading
    import time
    import urllib.error
    import urllib.request

    from audit.actors import Actor
    from consent.api import subjects as subjects_api
    from tenants.services import api_key_create

    _key, secret = api_key_create(
        organization=world.org, actor=Actor.system("test"), name="gate", role="owner"
    )
    started = threading.Event()
    real_create = subjects_api.subject_create

    def slow_create(**kwargs):
        started.set()
        time.sleep(1.0)  # the first request is still running when the duplicate arrives
        return real_create(**kwargs)

    monkeypatch.setattr(subjects_api, "subject_create", slow_create)

    def post():
        request = urllib.request.Request(  # noqa: S310 (the live server's own http URL)
            f"{live_server.url}/api/v1/subjects/",
            data=json.dumps({"display_name": "Bo"}).encode(),
            headers={
                "Authorization": f"Bearer {secret}",
                "Content-Type": "application/json",
                "Idempotency-Key": "gate-42",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read())

    answers = {}
    first = threading.Thread(target=lambda: answers.setdefault("first", post()))
    first.start()
    assert started.wait(10)
    answers["duplicate"] = post()
    first.join(30)
    answers["retry"] = post()

    assert answers["first"][0] == 201
    status, headers, body = answers["duplicate"]
    assert (status, body["code"], headers["Retry-After"]) == (
        409,
        "idempotency_key_in_progress",
        "1",
    )
    status, headers, body = answers["retry"]
    assert status == 201 and headers["Idempotent-Replayed"] == "true"
    assert body == answers["first"][2]
    assert Subject.objects.for_org(world.org).count() == 1
