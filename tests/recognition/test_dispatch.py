"""Jobs and enrollments through the outbox: taken once under a lease, reclaimed when it runs out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outbox.models import OutboxEvent
from recognition.models import Enrollment, FaceTemplate, RecognitionJob
from recognition.services.dispatch import (
    ENROLLMENT_SUBSCRIBER,
    JOB_SUBSCRIBER,
    work_reclaim_expired,
    work_take,
)
from recognition.services.enrollment import enrollment_process, enrollment_request
from recognition.services.jobs import recognition_job_create
from recognition.services.leases import work_lease_hand_back

pytestmark = pytest.mark.django_db


def _job(rec, faces):
    return recognition_job_create(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        mode="detect",
        images=[(faces.read("obama.jpg"), "image/jpeg")],
        actor=rec.actor,
    )


def _event(topic, work):
    return OutboxEvent.objects.filter(topic=topic, payload__id=work.pk).latest("pk")


def _take(event, worker, subscriber=JOB_SUBSCRIBER):
    return work_take(
        subscriber=subscriber,
        event_id=event.pk,
        organization_id=event.organization_id,
        worker=worker,
    )


def test_a_new_job_records_its_dispatch_in_the_outbox(rec, faces):
    job = _job(rec, faces)
    event = _event("recognition.job_queued", job)
    assert event.organization_id == rec.org.pk and event.done_at is None
    assert job.status == RecognitionJob.Status.QUEUED


def test_the_first_delivery_takes_the_job_and_a_repeat_does_nothing(rec, faces):
    job = _job(rec, faces)
    event = _event("recognition.job_queued", job)

    assert _take(event, "a") == job.pk
    event.refresh_from_db()
    job.refresh_from_db()
    assert event.done_at is not None
    assert (job.status, job.worker, job.attempts) == ("running", "a", 1)
    assert job.lease_until > timezone.now()
    # A redelivered copy while "a" holds a live lease: nothing to do.
    assert _take(event, "b") is None
    RecognitionJob.objects.filter(pk=job.pk).update(status=RecognitionJob.Status.SUCCEEDED)
    # A late copy of a finished job: nothing to do either, even with its lease gone.
    RecognitionJob.objects.filter(pk=job.pk).update(lease_until=None)
    assert _take(event, "c") is None
    job.refresh_from_db()
    assert (job.worker, job.attempts) == ("a", 1)


def test_an_expired_lease_is_handed_out_again_once(rec, faces):
    job = _job(rec, faces)
    assert _take(_event("recognition.job_queued", job), "a") == job.pk
    RecognitionJob.objects.filter(pk=job.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )

    assert work_reclaim_expired() == {"recognitionjob": 1, "enrollment": 0}
    # Held for another lease while the new event travels: the next run hands out nothing.
    assert work_reclaim_expired() == {"recognitionjob": 0, "enrollment": 0}
    again = _event("recognition.job_queued", job)
    assert again.done_at is None
    assert _take(again, "b") == job.pk
    job.refresh_from_db()
    assert (job.worker, job.attempts) == ("b", 2)


def test_an_enrollment_held_by_a_live_worker_is_left_alone(rec, faces):
    subject = rec.subject("Ann")
    rec.consent(subject)
    enrollment = enrollment_request(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        subject=subject,
        image=faces.read("obama.jpg"),
        content_type="image/jpeg",
        actor=rec.actor,
    )
    event = _event("recognition.enrollment_queued", enrollment)
    assert _take(event, "a", ENROLLMENT_SUBSCRIBER) == enrollment.pk

    # Another worker, given the same enrollment, does nothing while "a" holds it.
    enrollment_process(organization_id=rec.org.pk, enrollment_id=enrollment.pk, worker="b")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.worker, enrollment.attempts) == ("running", "a", 1)
    assert not FaceTemplate.objects.filter(enrollment=enrollment).exists()
    # Its holder finishes it, and clears the lease.
    enrollment_process(organization_id=rec.org.pk, enrollment_id=enrollment.pk, worker="a")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.SUCCEEDED
    assert enrollment.attempts == 1 and enrollment.lease_until is None
    assert FaceTemplate.objects.filter(enrollment=enrollment).count() == 1


def test_a_lease_handed_back_for_a_retry_lets_any_worker_take_the_job(rec, faces):
    job = _job(rec, faces)
    assert _take(_event("recognition.job_queued", job), "a") == job.pk

    work_lease_hand_back(work=job, worker="a", seconds=30)
    # The retry's copy, on another worker, takes it at once; the reclaim would only after 30 s.
    assert work_reclaim_expired() == {"recognitionjob": 0, "enrollment": 0}
    assert _take(_event("recognition.job_queued", job), "b") == job.pk
    job.refresh_from_db()
    assert (job.worker, job.attempts) == ("b", 2)


def test_the_lease_the_reclaim_and_the_visibility_timeout_agree():
    from django.conf import settings

    lease = settings.RECOGNITION_JOB_LEASE_SECONDS
    reclaim = settings.RECOGNITION_RECLAIM_INTERVAL_SECONDS
    # A killed worker's job is handed out again within a minute of its last renewal...
    assert lease + reclaim <= 60
    # ...long before the broker would hand its message out again.
    assert lease + reclaim < settings.BROKER_VISIBILITY_TIMEOUT
    assert settings.CELERY_BEAT_SCHEDULE["recognition-reclaim-expired"]["schedule"] == reclaim
    assert settings.OUTBOX_SUBSCRIBERS["recognition.job_queued"] == ["recognition.run_job"]
    assert settings.OUTBOX_SUBSCRIBERS["recognition.enrollment_queued"] == [
        "recognition.process_enrollment"
    ]
