from celery import shared_task

from outbox.services import events_redispatch_due


@shared_task(name="outbox.redispatch_due", acks_late=True, ignore_result=True)
def redispatch_due() -> int:
    """Hand over again the events whose delivery or reaction did not finish (periodic)."""
    return events_redispatch_due()
