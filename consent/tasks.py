"""Scheduled jobs: thin adapters that call services (STYLE.md, tasks are adapters)."""

from celery import shared_task

from consent.services import (
    consent_history_purge_expired,
    consents_expire_due,
    subjects_flag_turning_14,
)


@shared_task(name="consent.flag_turning_14", acks_late=True, max_retries=3)
def flag_turning_14(organization_id: int | None = None) -> int:
    """Flag subjects whose 14th birthday has come (R15). Daily."""
    return subjects_flag_turning_14(organization_id=organization_id)


@shared_task(name="consent.expire_due", acks_late=True, max_retries=3)
def expire_due() -> int:
    """Expire active consents past their term. Hourly."""
    return consents_expire_due()


@shared_task(name="consent.purge_expired_history", acks_late=True, max_retries=3)
def purge_expired_history() -> dict[str, int]:
    """Delete consent history past its three-year retention (R16). Daily."""
    return consent_history_purge_expired()
