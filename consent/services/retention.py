"""The end of consent history's retention (R16): purged once three years have passed."""

from collections import Counter
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from consent.models import ConsentEvent, ConsentReceipt


def consent_history_purge_expired(*, now: datetime | None = None) -> dict[str, int]:
    """Delete the events and receipts of consents whose whole history is past ``retain_until``.

    PIPL Art. 56, FRM Art. 9 (R16): a consent's history is kept at least three years after its
    last event, so an event goes only when every event of its consent is past retention (an
    old event of a consent that changed since stays). ``now`` can only move the cut-off back:
    the database trigger checks its own clock too. Each organization's counts are audited (no
    personal data). Return {"events": n, "receipts": n}.
    """
    current = timezone.now()
    now = min(now, current) if now is not None else current
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The append-only trigger lets a DELETE through only with this setting on, only for
            # rows past retain_until, and SET LOCAL ends with this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL consent.purge = 'on'")
        kept = ConsentEvent.objects.filter(retain_until__gte=now).values("consent_id")
        events = ConsentEvent.objects.filter(
            retain_until__lt=now, consent__retain_until__lt=now
        ).exclude(consent_id__in=kept)
        event_orgs = Counter(events.values_list("organization_id", flat=True))
        receipts = ConsentReceipt.objects.filter(event__in=events.values("pk"))
        receipt_orgs = Counter(receipts.values_list("organization_id", flat=True))
        receipts.delete()
        events.delete()
        actor = Actor.system("consent history retention")
        for org_id in sorted(set(event_orgs) | set(receipt_orgs)):
            audit_record(
                organization_id=org_id,
                actor=actor,
                action="consent_history.purged",
                target_type="consent_history",
                details={
                    "events": event_orgs[org_id],
                    "receipts": receipt_orgs[org_id],
                    "before": now.isoformat(),
                },
            )
    return {"events": sum(event_orgs.values()), "receipts": sum(receipt_orgs.values())}
