"""Processing gates: a stale assessment (R29, R27) or a deployment without purpose (R2) stops
new enrollments and jobs, at the request and again at the worker; an on-device deployment never
holds a central template (R19)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.gates import CentralStorageRefused, ProcessingSuspended
from governance.models import Deployment
from governance.services import (
    assessment_reassess,
    assessment_sign_off,
    assessments_mark_stale,
    deployment_detach_purpose,
)
from recognition.blobs import blob_files
from recognition.models import Enrollment, FaceTemplate, ProbeImage, RecognitionJob
from recognition.services.enrollment import enrollment_process, enrollment_request
from recognition.services.jobs import (
    recognition_job_check,
    recognition_job_create,
    recognition_job_run,
)

pytestmark = pytest.mark.django_db


def _stale(rec) -> None:
    assessments_mark_stale(
        organization=rec.org,
        actor=rec.actor,
        reason="Major incident: gate database copied.",
        deployment_ids=[rec.deployment.pk],
    )


def _enroll(rec, subject, photo: bytes, **kwargs):
    return enrollment_request(
        organization=rec.org,
        deployment=kwargs.pop("deployment", rec.deployment),
        purpose=rec.purpose,
        subject=subject,
        image=photo,
        content_type="image/jpeg",
        actor=rec.actor,
        **kwargs,
    )


def _queue_job(rec, photo: bytes) -> RecognitionJob:
    """Create a job; its on-commit enqueue never runs, as if the broker still held it."""
    return recognition_job_create(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        mode="detect",
        images=[(photo, "image/jpeg")],
        actor=rec.actor,
    )


def _rules(details) -> set[str]:
    return {d["rule"] for d in details}


def test_r29_stale_assessment_stops_a_job_at_the_api_with_422_naming_r29(rec, faces, api_as):
    _stale(rec)
    response = api_as(rec.world.owner).post(
        "/api/v1/recognition-jobs/",
        {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "mode": "identify",
            "images": [SimpleUploadedFile("a.jpg", faces.read("obama.jpg"), "image/jpeg")],
        },
        format="multipart",
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "processing_suspended"
    assert "R29" in body["message"] and "Reassess" in body["message"]
    (detail,) = body["details"]
    assert detail["rule"] == "R29" and "Major incident" in detail["message"]
    assert detail["fix_url"].endswith(f"/assessments/{rec.deployment.assessments.get().pk}/")
    assert not RecognitionJob.objects.exists()
    assert blob_files() == []


def test_r29_stale_assessment_stops_an_enrollment(rec, faces):
    subject = rec.subject()
    rec.consent(subject)
    _stale(rec)
    with pytest.raises(ProcessingSuspended, match="R29") as raised:
        _enroll(rec, subject, faces.read("obama.jpg"))
    assert raised.value.status == 422
    assert _rules(raised.value.details) == {"R29"}
    assert not Enrollment.objects.exists()
    assert blob_files() == []


def test_r29_new_signed_off_assessment_lifts_the_suspension(rec):
    _stale(rec)
    with pytest.raises(ProcessingSuspended):
        recognition_job_check(
            organization=rec.org, deployment=rec.deployment, purpose=rec.purpose, mode="identify"
        )
    draft = assessment_reassess(assessment=rec.deployment.assessments.get(), actor=rec.actor)
    with pytest.raises(ProcessingSuspended):  # a draft is not yet a new assessment
        recognition_job_check(
            organization=rec.org, deployment=rec.deployment, purpose=rec.purpose, mode="detect"
        )
    assessment_sign_off(assessment=draft, actor=rec.actor, user=rec.world.dpo)
    recognition_job_check(
        organization=rec.org, deployment=rec.deployment, purpose=rec.purpose, mode="detect"
    )


def test_r29_job_queued_before_the_assessment_went_stale_is_refused_by_the_worker(rec, faces):
    job = _queue_job(rec, faces.read("obama.jpg"))
    assert job.status == RecognitionJob.Status.QUEUED
    _stale(rec)

    assert recognition_job_run(organization_id=rec.org.pk, job_id=job.pk, worker="w1") == (
        "done",
        0.0,
    )

    job.refresh_from_db()
    assert job.status == RecognitionJob.Status.FAILED
    assert job.error_code == "processing_suspended" and "R29" in job.error_message
    assert job.faces_found == 0  # no image was read
    assert not ProbeImage.objects.filter(job=job).exclude(path="").exists()


def test_r29_enrollment_queued_before_the_assessment_went_stale_is_refused_by_the_worker(
    rec, faces
):
    subject = rec.subject()
    rec.consent(subject)
    enrollment = _enroll(rec, subject, faces.read("obama.jpg"))
    _stale(rec)

    enrollment_process(organization_id=rec.org.pk, enrollment_id=enrollment.pk)

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.FAILED
    assert enrollment.error_code == "processing_suspended"
    assert not FaceTemplate.objects.exists()


def test_r2_active_deployment_that_lost_its_last_purpose_refuses_enrollments_and_jobs(rec, faces):
    subject = rec.subject()
    rec.consent(subject)
    deployment_detach_purpose(deployment=rec.deployment, purpose=rec.purpose, actor=rec.actor)
    rec.deployment.refresh_from_db()
    assert rec.deployment.status == Deployment.Status.ACTIVE  # flagged, not switched off

    with pytest.raises(ProcessingSuspended) as raised:
        recognition_job_check(
            organization=rec.org, deployment=rec.deployment, purpose=rec.purpose, mode="identify"
        )
    assert _rules(raised.value.details) == {"R2"}
    with pytest.raises(ProcessingSuspended, match="R2"):
        _enroll(rec, subject, faces.read("obama.jpg"))
    assert not Enrollment.objects.exists()


def test_r19_on_device_deployment_refuses_a_central_template_whatever_the_consent(rec, faces):
    Deployment.objects.filter(pk=rec.deployment.pk).update(storage_mode="on_device")
    rec.deployment.refresh_from_db()
    subject = rec.subject()
    rec.consent(subject, central_storage=True)

    with pytest.raises(CentralStorageRefused) as raised:
        _enroll(rec, subject, faces.read("obama.jpg"))

    assert raised.value.status == 422 and raised.value.code == "storage_on_device"
    (detail,) = raised.value.details
    assert detail["rule"] == "R19"
    assert "storage mode to central" in detail["message"]
    assert detail["fix_url"].endswith(f"/deployments/{rec.deployment.pk}/edit/")
    assert not Enrollment.objects.exists() and not FaceTemplate.objects.exists()
    assert blob_files() == []


def test_r19_enrollment_queued_before_a_switch_to_on_device_stores_no_template(rec, faces):
    subject = rec.subject()
    rec.consent(subject, central_storage=True)
    enrollment = _enroll(rec, subject, faces.read("obama.jpg"))
    Deployment.objects.filter(pk=rec.deployment.pk).update(storage_mode="on_device")

    enrollment_process(organization_id=rec.org.pk, enrollment_id=enrollment.pk)

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.FAILED
    assert enrollment.error_code == "storage_on_device"
    assert not FaceTemplate.objects.exists()
