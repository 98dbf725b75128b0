"""Jobs and enrollments reach a worker through the outbox, and reach another when one dies.

The create services record an outbox event (``work_dispatch_record``) in the transaction that
stores the job or the enrollment. After the commit the outbox hands it to the subscriber task
(settings.OUTBOX_SUBSCRIBERS) and never raises; its beat task hands it over again until a worker
has taken it. So a broker that is down when the request commits delays the work and loses
nothing, and the request answers 202 all the same.

A worker takes the work (``work_take``) in one transaction: the event is marked done and the
lease taken (leases.py), both or neither. A repeat delivery (a redelivered message, the beat's
re-dispatch, a task retry) finds the work finished or held by a live worker and does nothing.
Once taken, the lease carries it: ``work_reclaim_expired`` records a new event for every job and
enrollment whose worker stopped renewing its lease.
"""

from django.db import transaction
from django.utils import timezone

from outbox.services import event_record, event_take
from recognition.models import Enrollment, RecognitionJob
from recognition.services.leases import lease_length, work_lease_take

JOB_TOPIC = "recognition.job_queued"
ENROLLMENT_TOPIC = "recognition.enrollment_queued"
# The task names settings.OUTBOX_SUBSCRIBERS routes these topics to.
JOB_SUBSCRIBER = "recognition.run_job"
ENROLLMENT_SUBSCRIBER = "recognition.process_enrollment"

_TOPICS = {RecognitionJob: JOB_TOPIC, Enrollment: ENROLLMENT_TOPIC}
_MODELS = {JOB_SUBSCRIBER: RecognitionJob, ENROLLMENT_SUBSCRIBER: Enrollment}
# At most this many expired leases are handed out again per run of the reclaim (per kind).
RECLAIM_BATCH = 500


def work_dispatch_record(*, work) -> None:
    """Record the event that hands ``work`` (a new job or enrollment) to a worker.

    Call in the transaction that stores it: a rollback removes both, a commit dispatches it.
    """
    event_record(
        topic=_TOPICS[type(work)], organization_id=work.organization_id, payload={"id": work.pk}
    )


def work_take(*, subscriber: str, event_id: int, organization_id: int, worker: str) -> int | None:
    """Return the id of the work the event names, once ``worker`` holds its lease.

    Return None when the event or the work is gone, the work is finished, or another live worker
    holds it: a duplicate delivery, nothing to do. The event is done either way.
    """
    model = _MODELS[subscriber]
    with transaction.atomic():
        event = event_take(
            event_id=event_id, organization_id=organization_id, subscriber=subscriber
        )
        if event is None:
            return None
        work = model.objects.filter(
            pk=event.payload.get("id"), organization_id=organization_id
        ).first()
        if work is None or not work_lease_take(work=work, worker=worker):
            return None
        return work.pk


def work_reclaim_expired(*, now=None) -> dict[str, int]:
    """Hand out again, through the outbox, each unfinished job and enrollment whose lease ran out.

    Return how many of each. Each one is held for another lease length with no worker named, so
    the next run of this task does not hand it out again while its event is on its way; whichever
    worker takes it first counts an attempt. Locked rows are skipped (a worker is taking them).
    Periodic, every RECOGNITION_RECLAIM_INTERVAL_SECONDS.
    """
    now = now or timezone.now()
    counts = {}
    for model in (RecognitionJob, Enrollment):
        with transaction.atomic():
            expired = list(
                model.objects.select_for_update(skip_locked=True)
                .filter(status__in=[model.Status.QUEUED, model.Status.RUNNING], lease_until__lt=now)
                .order_by("lease_until")[:RECLAIM_BATCH]
            )
            for work in expired:
                model.objects.filter(pk=work.pk).update(worker="", lease_until=now + lease_length())
                work_dispatch_record(work=work)
        counts[model._meta.model_name] = len(expired)
    return counts
