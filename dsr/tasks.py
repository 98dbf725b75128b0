"""Thin Celery adapters for the requests workflow."""

from celery import shared_task

from dsr.services.deadlines import dsr_deadlines_flag


@shared_task(name="dsr.flag_deadlines", acks_late=True, max_retries=3)
def flag_deadlines() -> dict:
    """Flag requests near or past their deadline and tell the DPOs (R50)."""
    return dsr_deadlines_flag()
