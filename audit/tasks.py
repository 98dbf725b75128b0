from celery import shared_task

from audit.services import audit_seal_pending


@shared_task(name="audit.seal_pending", acks_late=True, ignore_result=True)
def seal_pending() -> int:
    """Seal whatever the after-commit sealing skipped (periodic)."""
    return audit_seal_pending(wait=False)
