"""Periodic tasks of the tenants app: thin adapters that call a service."""

from celery import shared_task

from tenants.services.idempotency import idempotency_keys_purge


@shared_task(name="tenants.purge_idempotency_keys", acks_late=True, ignore_result=True)
def purge_idempotency_keys() -> int:
    """Delete the Idempotency-Key records past their day (periodic, hourly)."""
    return idempotency_keys_purge()
