from celery import shared_task

from audit.services import audit_checkpoint_due, audit_purge_expired, audit_seal_pending


@shared_task(name="audit.seal_pending", acks_late=True, ignore_result=True)
def seal_pending() -> int:
    """Seal whatever the after-commit sealing skipped (periodic)."""
    return audit_seal_pending(wait=False)


@shared_task(name="audit.purge_expired", acks_late=True, ignore_result=True)
def purge_expired() -> int:
    """Purge each organization's events past retention, keeping its chain verifiable (daily)."""
    from audit.models import AuditChainHead

    removed = 0
    for org_id in AuditChainHead.objects.values_list("organization_id", flat=True):
        removed += audit_purge_expired(organization_id=org_id)
    return removed


@shared_task(name="audit.checkpoint_due", acks_late=True, ignore_result=True)
def checkpoint_due() -> int:
    """Sign a checkpoint for each organization whose tree grew since its last (periodic)."""
    return audit_checkpoint_due()
