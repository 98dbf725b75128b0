"""Sequencing and sealing pending events into each organization's hash chain."""

from django.db import connection, transaction
from django.utils import timezone

from audit.hashing import SEALED_FIELDS, event_hash
from audit.models import AuditChainHead, AuditEvent, AuditPending, AuditSeal

BATCH_SIZE = 2000


def audit_seal_pending(
    *, organization_id: int | None = None, wait: bool = True, batch_size: int = BATCH_SIZE
) -> int:
    """Seal pending events, oldest first; return how many were sealed.

    With ``wait=False`` an organization whose chain another sealer holds is skipped rather than
    waited for: the holder, or the next periodic run, seals what is left.
    """
    if organization_id is None:
        org_ids = list(
            AuditPending.objects.values_list("organization_id_copy", flat=True).distinct()
        )
    else:
        org_ids = [organization_id]
    total = 0
    for org_id in org_ids:
        while True:
            sealed = _seal_batch(org_id, wait=wait, batch_size=batch_size)
            total += sealed
            if sealed < batch_size:
                break
    return total


def _seal_batch(org_id: int, *, wait: bool, batch_size: int) -> int:
    AuditChainHead.objects.get_or_create(organization_id=org_id)
    with transaction.atomic():
        heads = AuditChainHead.objects.filter(organization_id=org_id)
        if connection.features.has_select_for_update_skip_locked and not wait:
            heads = heads.select_for_update(skip_locked=True)
        else:
            heads = heads.select_for_update()
        head = heads.first()
        if head is None:
            return 0
        pending_ids = list(
            AuditPending.objects.filter(organization_id_copy=org_id)
            .order_by("event_id")
            .values_list("event_id", flat=True)[:batch_size]
        )
        if not pending_ids:
            return 0
        rows = (
            AuditEvent.objects.filter(pk__in=pending_ids).order_by("id").values_list(*SEALED_FIELDS)
        )
        now = timezone.now()
        seals = []
        prev_hash, seq = head.last_hash, head.last_seq
        for row in rows:
            seq += 1
            digest = event_hash(prev_hash=prev_hash, seq=seq, row=row)
            seals.append(
                AuditSeal(
                    event_id=row[0],
                    organization_id=org_id,
                    seq=seq,
                    prev_hash=prev_hash,
                    hash=digest,
                    sealed_at=now,
                )
            )
            prev_hash = digest
        AuditSeal.objects.bulk_create(seals)
        AuditPending.objects.filter(event_id__in=pending_ids).delete()
        head.last_seq, head.last_hash = seq, prev_hash
        head.save(update_fields=["last_seq", "last_hash"])
        return len(seals)
