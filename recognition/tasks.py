"""Celery adapters: take ids (organization id always), re-fetch, call one service.

No task names a queue: they go to CELERY_TASK_DEFAULT_QUEUE ("portal", or a test worker's
private queue), so one setting moves every recognition task.
"""

import logging

from celery import shared_task
from django.db import DatabaseError

from governance.models import Purpose
from outbox.services import event_failed
from recognition.engine import EngineUnavailable
from recognition.models import Enrollment, RecognitionJob, WebhookDelivery
from recognition.services.calibrations import calibration_run, calibrations_due
from recognition.services.destruction import bipa_destruction_sweep
from recognition.services.dispatch import (
    ENROLLMENT_SUBSCRIBER,
    JOB_SUBSCRIBER,
    work_reclaim_expired,
    work_take,
)
from recognition.services.enrollment import enrollment_process
from recognition.services.galleries import gallery_changes_prune
from recognition.services.job_outcomes import recognition_job_fail
from recognition.services.jobs import probes_sweep, recognition_job_run
from recognition.services.leases import work_lease_hand_back, worker_name
from recognition.services.reactions import consent_change_react, deployment_storage_react
from recognition.services.results import job_shard_search
from recognition.services.retention import retention_sweep
from recognition.services.webhooks import DeliveryFailed, webhook_deliver

logger = logging.getLogger(__name__)
_RETRYABLE = (EngineUnavailable, DatabaseError, ConnectionError)


def _countdown(retries: int) -> int:
    return min(60, 2 ** (retries + 1))


@shared_task(bind=True, name="recognition.process_enrollment", acks_late=True, max_retries=5)
def process_enrollment(self, event_id: int, organization_id: int) -> str | None:
    """Encode one enrollment's photo (outbox event); return its outcome, None if not taken.

    A delivery that finds the enrollment finished or held by a live worker does nothing.
    """
    worker = worker_name()
    enrollment_id = work_take(
        subscriber=ENROLLMENT_SUBSCRIBER,
        event_id=event_id,
        organization_id=organization_id,
        worker=worker,
    )
    if enrollment_id is None:
        return None
    try:
        enrollment = enrollment_process(
            organization_id=organization_id, enrollment_id=enrollment_id, worker=worker
        )
    except _RETRYABLE as exc:
        countdown = _countdown(self.request.retries)
        work_lease_hand_back(
            work=Enrollment(pk=enrollment_id), worker=worker, seconds=countdown + 30
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    return enrollment.status if enrollment else None


@shared_task(bind=True, name="recognition.run_job", acks_late=True, max_retries=8)
def run_recognition_job(self, event_id: int, organization_id: int) -> str:
    """Run or resume a recognition job (outbox event); "skipped" when not taken.

    A delivery that finds the job finished or held by a live worker does nothing: the holder
    finishes it, or, if it died, the reclaim of its expired lease hands the job out again.
    """
    worker = worker_name()
    job_id = work_take(
        subscriber=JOB_SUBSCRIBER, event_id=event_id, organization_id=organization_id, worker=worker
    )
    if job_id is None:
        return "skipped"
    try:
        state, _wait = recognition_job_run(
            organization_id=organization_id, job_id=job_id, worker=worker
        )
    except _RETRYABLE as exc:
        countdown = _countdown(self.request.retries)
        work_lease_hand_back(work=RecognitionJob(pk=job_id), worker=worker, seconds=countdown + 30)
        raise self.retry(exc=exc, countdown=countdown) from exc
    except Exception:
        logger.exception("recognition job %s failed", job_id)
        job = RecognitionJob.objects.filter(pk=job_id, organization_id=organization_id).first()
        if job is not None:
            recognition_job_fail(job=job, code="internal_error", message="The job failed.")
        return "failed"
    return state


@shared_task(name="recognition.reclaim_expired", acks_late=True, ignore_result=True)
def reclaim_expired() -> dict:
    """Hand out again the jobs and enrollments whose worker's lease ran out (periodic)."""
    return work_reclaim_expired()


@shared_task(bind=True, name="recognition.react_to_consent", acks_late=True, max_retries=8)
def react_to_consent(self, event_id: int, organization_id: int) -> int | None:
    """React to one consent event (outbox); retry with backoff, then the beat task re-sends it.

    Idempotent: the event is marked done with the reaction's own commit, so a redelivery after
    a crash either redoes all of it or finds it done.
    """
    try:
        return consent_change_react(event_id=event_id, organization_id=organization_id)
    except Exception as exc:
        event_failed(event_id=event_id, error=exc)
        raise self.retry(exc=exc, countdown=min(600, 2 ** (self.request.retries + 1))) from exc


@shared_task(
    name="recognition.search_shard",
    acks_late=True,
    autoretry_for=_RETRYABLE,
    retry_backoff=True,
    max_retries=5,
)
def search_shard(organization_id: int, job_id: int, shard: int, shard_count: int) -> bool:
    """Search one gallery shard for a job; the last shard to answer writes the results."""
    return job_shard_search(
        organization_id=organization_id, job_id=job_id, shard=shard, shard_count=shard_count
    )


@shared_task(bind=True, name="recognition.deliver_webhook", acks_late=True, max_retries=6)
def deliver_webhook(self, organization_id: int, delivery_id: int) -> str | None:
    """POST one signed webhook; retry with backoff (1, 2, 4 ... 32 s) until it answers 2xx."""
    delivery = (
        WebhookDelivery.objects.filter(pk=delivery_id, organization_id=organization_id)
        .select_related("endpoint")
        .first()
    )
    if delivery is None:
        return None
    try:
        return webhook_deliver(
            delivery=delivery, final_attempt=self.request.retries >= self.max_retries
        ).status
    except DeliveryFailed as exc:
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc


@shared_task(name="recognition.retention_sweep", acks_late=True)
def run_retention_sweep() -> dict:
    """Delete face data past retention or without consent (R20, R22). Periodic."""
    return retention_sweep()


@shared_task(name="recognition.sweep_probes", acks_late=True)
def sweep_probes() -> dict:
    """Delete probes of failed or stuck jobs and leftover enrollment uploads. Periodic."""
    return probes_sweep()


@shared_task(name="recognition.prune_gallery_changes", acks_late=True)
def prune_gallery_changes() -> int:
    """Delete gallery change-log rows no worker can still need (issue 5). Periodic."""
    return gallery_changes_prune()


@shared_task(
    name="recognition.calibrate_purpose",
    acks_late=True,
    autoretry_for=_RETRYABLE,
    retry_backoff=True,
    max_retries=5,
)
def calibrate_purpose(organization_id: int, purpose_id: int, trigger: str) -> int | None:
    """Derive and record a purpose's 1:N operating point (R54); return the effective one's id."""
    purpose = Purpose.objects.filter(pk=purpose_id, organization_id=organization_id).first()
    if purpose is None:
        return None
    calibration = calibration_run(purpose=purpose, trigger=trigger)
    return calibration.pk if calibration else None


@shared_task(name="recognition.calibrate_due", acks_late=True)
def calibrate_due() -> int:
    """Queue a calibration for every gallery that grew or aged past its last one. Periodic."""
    due = calibrations_due()
    for organization_id, purpose_id, trigger in due:
        calibrate_purpose.delay(organization_id, purpose_id, trigger)
    return len(due)


@shared_task(
    bind=True, name="recognition.react_to_storage_on_device", acks_late=True, max_retries=8
)
def react_to_storage_on_device(self, event_id: int, organization_id: int) -> int | None:
    """Purge a deployment's central templates after it moved to on-device storage (R19, outbox).

    Retried with backoff, then re-sent by the beat task; idempotent like the consent reaction.
    """
    try:
        return deployment_storage_react(event_id=event_id, organization_id=organization_id)
    except Exception as exc:
        event_failed(event_id=event_id, error=exc)
        raise self.retry(exc=exc, countdown=min(600, 2 ** (self.request.retries + 1))) from exc


@shared_task(name="recognition.bipa_destruction", acks_late=True)
def bipa_destruction() -> dict:
    """Destroy the Illinois templates BIPA's schedule has made due (R23). Periodic (daily)."""
    return bipa_destruction_sweep()
