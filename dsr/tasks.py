"""Thin Celery adapters for the requests workflow."""

from celery import shared_task

from dsr.services.deadlines import dsr_deadlines_flag
from dsr.services.reenrollment import enrollment_finished_react
from dsr.services.termination import termination_run_execute
from dsr.services.termination_package import termination_packages_expire
from outbox.services import event_failed


@shared_task(name="dsr.flag_deadlines", acks_late=True, max_retries=3)
def flag_deadlines() -> dict:
    """Flag requests near or past their deadline and tell the DPOs (R50)."""
    return dsr_deadlines_flag()


@shared_task(name="dsr.expire_termination_packages", acks_late=True, max_retries=3)
def expire_termination_packages() -> int:
    """Delete return packages left uncollected past their keeping time (R51)."""
    return termination_packages_expire()


@shared_task(bind=True, name="dsr.react_to_enrollment", acks_late=True, max_retries=8)
def react_to_enrollment(self, event_id: int, organization_id: int) -> bool:
    """Note a finished re-enrollment on its correction request (outbox); retried with backoff.

    Idempotent: the event is marked done with the record's own commit, so a redelivery finds it
    done; after the last retry the beat task (outbox.redispatch_due) hands it over again.
    """
    try:
        return enrollment_finished_react(event_id=event_id, organization_id=organization_id)
    except Exception as exc:
        event_failed(event_id=event_id, error=exc)
        raise self.retry(exc=exc, countdown=min(600, 2 ** (self.request.retries + 1))) from exc


@shared_task(bind=True, name="dsr.run_termination", acks_late=True, max_retries=8)
def run_termination(self, event_id: int, organization_id: int) -> str:
    """Carry out the end of an entrustment (R51, outbox); retried with backoff.

    Idempotent: the run's status and lease decide; a repeat finds it finished or held, and a
    resumed run erases only what is left. After the last retry the beat hands it over again.
    """
    try:
        return termination_run_execute(event_id=event_id, organization_id=organization_id)
    except Exception as exc:
        event_failed(event_id=event_id, error=exc)
        raise self.retry(exc=exc, countdown=min(600, 2 ** (self.request.retries + 1))) from exc
