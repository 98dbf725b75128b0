"""Rules the request workflow enforces, each named in its test (R24, R45, R46, R47; issue 17).

Each test fails if the enforcement it names is removed: the package losing a part, a template
leaking into it or into a webhook, a correction or a deletion not changing what is held.
"""

import base64
import json

import pytest

from audit.actors import Actor
from audit.models import AuditEvent
from dsr.services.completion import dsr_request_complete
from dsr.services.export import dsr_package_download, export_token, package_json, subject_package
from recognition.models import FaceTemplate, RecognitionJob, WebhookEndpoint
from recognition.services.webhooks import webhook_job_finished
from tests.dsr.conftest import put_face_data

pytestmark = pytest.mark.django_db

DPO = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")


def test_R24_no_template_leaves_through_the_access_package_or_a_webhook(
    dw, django_capture_on_commit_callbacks
):
    put_face_data(dw, templates=2)
    text = package_json(subject_package(subject=dw.subject)).decode()
    for template in FaceTemplate.objects.filter(subject=dw.subject):
        raw = bytes(template.ciphertext)
        assert base64.b64encode(raw).decode() not in text
        assert raw.hex() not in text
    WebhookEndpoint.objects.create(
        organization=dw.org, url="https://hooks.example.test/x", secret_encrypted=b"s"
    )
    job = RecognitionJob.objects.filter(organization=dw.org, mode="identify").get()
    with django_capture_on_commit_callbacks(execute=False):
        delivery = webhook_job_finished(job=job)
    # Counts and ids only: nobody's face data, nor who was matched, goes to a third party.
    assert delivery.payload["matches"] == job.matches
    flat = json.dumps(delivery.payload)
    assert str(dw.subject.pseudonym) not in flat
    assert not {"template", "templates", "embedding", "subject", "subjects"} & set(delivery.payload)


def test_R45_access_package_gives_consents_history_enrollments_matches_and_retention(dw):
    put_face_data(dw, templates=1)
    package = subject_package(subject=dw.subject)
    (consent,) = package["consents"]
    assert [event["type"] for event in consent["history"]] == ["given"]
    enrollment = next(e for e in package["biometrics"]["enrollments"] if e["template_stored"])
    assert enrollment["retain_until"]
    (result,) = package["biometrics"]["results"]
    assert result["where"] == "HQ gate"


def test_R45_copy_is_given_once_the_request_is_answered_and_the_download_is_logged(dw):
    request = dsr_request_complete(data_request=dw.file("access"), actor=DPO)
    package = dsr_package_download(
        data_request=request, actor=DPO, fmt="json", token=export_token(request)
    )
    assert package["profile"]["pseudonym"] == str(dw.subject.pseudonym) and package["consents"]
    assert AuditEvent.objects.filter(action="data_request.package_downloaded").count() == 1


def test_R46_portability_package_is_structured_machine_readable_json(dw):
    put_face_data(dw, templates=1)
    request = dsr_request_complete(data_request=dw.file("portability"), actor=DPO)
    assert request.outcome == "exported"
    decoded = json.loads(package_json(subject_package(subject=dw.subject)))
    assert {"profile", "consents", "biometrics", "requests"} <= set(decoded)
    assert decoded["profile"]["pseudonym"] == str(dw.subject.pseudonym)


def test_R47_correction_changes_the_data_held_at_once(dw):
    request = dsr_request_complete(
        data_request=dw.file("correction", message="My phone changed."),
        actor=DPO,
        changes={"phone": "+86 139 0000 9999"},
    )
    dw.subject.refresh_from_db()
    assert dw.subject.phone == "+86 139 0000 9999"
    assert request.outcome == "corrected" and not request.is_open


@pytest.mark.django_db(transaction=True)
def test_R47_deletion_request_removes_the_face_data(dw, eager, django_capture_on_commit_callbacks):
    put_face_data(dw, templates=2)
    assert FaceTemplate.objects.filter(subject_pseudonym=dw.subject.pseudonym).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        request = dsr_request_complete(data_request=dw.file("erasure"), actor=DPO)
    assert request.outcome == "erased"
    assert not FaceTemplate.objects.filter(subject_pseudonym=dw.subject.pseudonym).exists()
