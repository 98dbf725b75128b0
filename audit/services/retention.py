"""Purging events past their retention while keeping the rest of the chain verifiable."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.models import AuditChainHead, AuditEvent, AuditSeal
from audit.services.recording import audit_record

# PIPL Art. 56 and CAC Measures Art. 9: processing records are kept at least three years.
MINIMUM_RETENTION = timedelta(days=3 * 365 + 1)


def audit_purge_expired(*, organization_id: int, now=None) -> int:
    """Delete the oldest sealed events older than the retention period; return how many.

    Only a contiguous prefix of the chain is removed, and the last removed seal becomes the
    anchor that verification starts from, so the remaining chain still verifies. The retention
    setting can lengthen but never shorten the three-year minimum.
    """
    now = now or timezone.now()
    retention = max(timedelta(days=getattr(settings, "AUDIT_RETENTION_DAYS", 0)), MINIMUM_RETENTION)
    cutoff = now - retention
    with transaction.atomic():
        head = (
            AuditChainHead.objects.select_for_update()
            .filter(organization_id=organization_id)
            .first()
        )
        if head is None:
            return 0
        first_kept = (
            AuditSeal.objects.filter(organization_id=organization_id, event__created_at__gte=cutoff)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        through = (first_kept - 1) if first_kept is not None else head.last_seq
        if through <= head.anchor_seq:
            return 0
        anchor = AuditSeal.objects.get(organization_id=organization_id, seq=through)
        doomed = AuditSeal.objects.filter(organization_id=organization_id, seq__lte=through)
        event_ids = list(doomed.values_list("event_id", flat=True))
        if connection.vendor == "postgresql":
            # The append-only trigger lets this one transaction delete rows past retention.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL audit.purge = 'on'")
        doomed.delete()
        AuditEvent.objects.filter(pk__in=event_ids).delete()
        head.anchor_seq, head.anchor_hash = through, anchor.hash
        head.save(update_fields=["anchor_seq", "anchor_hash"])
        audit_record(
            organization_id=organization_id,
            actor=Actor.system("audit retention"),
            action="audit.purged",
            details={
                "through_seq": through,
                "anchor_hash": anchor.hash,
                "events": len(event_ids),
                "cutoff": cutoff.isoformat(),
            },
        )
    return len(event_ids)
