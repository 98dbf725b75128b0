"""Record domain events with the change, hand them to their subscribers, mark them done.

Subscribers are data: ``settings.OUTBOX_SUBSCRIBERS`` maps a topic to Celery task names, so a
lower app records an event that a higher app reacts to without either importing the other, and
no module-level registry has to be filled at start-up. Each subscriber task is called with
``event_id`` and ``organization_id``; it must be idempotent and call ``event_done`` (in its own
transaction, with its work) when it has reacted.
"""

import logging
import threading
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import OutboxEvent

logger = logging.getLogger(__name__)
_DISCOVERY = threading.Lock()

# Re-dispatch backoff: 30 s, 1 min, 2 min ... capped at one hour (OUTBOX_BACKOFF_BASE_SECONDS
# moves the first step, e.g. for tests that bring a broker back within seconds).
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


def subscribers_for(topic: str) -> list[str]:
    """Return the task names subscribed to ``topic`` (settings.OUTBOX_SUBSCRIBERS)."""
    return list(getattr(settings, "OUTBOX_SUBSCRIBERS", {}).get(topic, ()))


def backoff(attempts: int) -> timedelta:
    """Return how long to wait before re-dispatching an event handed over ``attempts`` times."""
    base = getattr(settings, "OUTBOX_BACKOFF_BASE_SECONDS", BACKOFF_BASE_SECONDS)
    seconds = base * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(BACKOFF_MAX_SECONDS, seconds))


def registered_task(name: str):
    """Return the Celery task registered under ``name``, importing every app's tasks first.

    A web process imports no tasks module on its own; without this its first look-up would
    miss. The task object itself (not send_task) lets task_always_eager run it inline.
    """
    if name not in current_app.tasks:
        # Celery's discovery returns at once, finding nothing, to a thread that calls it while
        # another thread runs it (``_RACE_PROTECTION``): gunicorn's threads race on a fresh
        # process's first jobs. Hence one lock, and discovery forced directly rather than
        # through the import_modules signal, whose Django fixup also runs every system check.
        with _DISCOVERY:
            if name not in current_app.tasks:
                current_app.autodiscover_tasks(force=True)
    return current_app.tasks[name]


def event_record(*, topic: str, organization_id: int | None, payload: dict) -> OutboxEvent:
    """Record an event in the caller's transaction and dispatch it once that commits.

    Must be called inside the transaction of the change it announces: a rollback removes both.
    An event nobody subscribes to is recorded as done (it still documents the change).
    """
    now = timezone.now()
    done = not subscribers_for(topic)
    event = OutboxEvent.objects.create(
        topic=topic,
        organization_id=organization_id,
        payload=payload,
        next_attempt_at=now,
        done_at=now if done else None,
    )
    if not done:
        transaction.on_commit(lambda: event_dispatch(event_id=event.pk))
    return event


def event_dispatch(*, event_id: int) -> bool:
    """Hand the event to its subscribers' tasks that have not reacted yet; never raise.

    Return True when every task was handed over. A broker outage (or, with eager tasks, a
    reaction's failure) is recorded on the row and left to the beat task: the caller, usually
    a web request after its commit, answers as if nothing happened.
    """
    event = OutboxEvent.objects.filter(pk=event_id, done_at__isnull=True).first()
    if event is None:
        return True
    now = timezone.now()
    # Counted before the hand-over: an eager task marks the event done inside apply_async.
    OutboxEvent.objects.filter(pk=event.pk).update(
        attempts=F("attempts") + 1,
        dispatched_at=now,
        next_attempt_at=now + backoff(event.attempts + 1),
    )
    try:
        for name in subscribers_for(event.topic):
            if name in event.done_by:
                continue
            registered_task(name).apply_async(
                kwargs={"event_id": event.pk, "organization_id": event.organization_id}
            )
    except Exception as exc:  # noqa: BLE001 - whatever fails, the row keeps it for the beat
        logger.warning("outbox event %s not dispatched: %r", event.pk, exc)
        OutboxEvent.objects.filter(pk=event.pk).update(
            dispatched_at=None, last_error=repr(exc)[:2000]
        )
        return False
    return True


def event_for_subscriber(*, event_id: int, organization_id: int | None, subscriber: str):
    """Return the event locked FOR UPDATE, or None when it is gone or ``subscriber`` is done.

    Call inside the subscriber's transaction: two deliveries of one event serialize here, and
    the second finds it done.
    """
    event = (
        OutboxEvent.objects.select_for_update()
        .filter(pk=event_id, organization_id=organization_id)
        .first()
    )
    if event is None or subscriber in event.done_by:
        return None
    return event


def event_take(*, event_id: int, organization_id: int | None, subscriber: str):
    """Return the event locked FOR UPDATE and marked done for ``subscriber``, or None if gone.

    For a subscriber whose work carries its own claim (a lease on the row it works on): the
    event only has to reach one worker, and a repeat delivery still gets the payload, to find
    that work finished or held. Call inside the transaction that takes the claim, so the event
    is done exactly when the claim commits.
    """
    event = (
        OutboxEvent.objects.select_for_update()
        .filter(pk=event_id, organization_id=organization_id)
        .first()
    )
    if event is not None and subscriber not in event.done_by:
        event_done(event=event, subscriber=subscriber)
    return event


def event_done(*, event: OutboxEvent, subscriber: str) -> None:
    """Record that ``subscriber`` reacted; the event is done once all of its subscribers are.

    Call in the transaction of the reaction itself, so the work and the mark commit together.
    """
    if subscriber not in event.done_by:
        event.done_by = [*event.done_by, subscriber]
    if set(subscribers_for(event.topic)) <= set(event.done_by):
        event.done_at = timezone.now()
        event.last_error = ""
    event.save(update_fields=["done_by", "done_at", "last_error"])


def event_failed(*, event_id: int, error: BaseException) -> None:
    """Note a reaction's failure on the event (its retry, or the beat task, tries again)."""
    OutboxEvent.objects.filter(pk=event_id).update(last_error=repr(error)[:2000])


def events_redispatch_due(*, now=None, limit: int = 500) -> int:
    """Dispatch again every event not done whose next attempt is due; return how many."""
    now = now or timezone.now()
    due = list(
        OutboxEvent.objects.filter(done_at__isnull=True, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in due:
        event_dispatch(event_id=event_id)
    return len(due)
