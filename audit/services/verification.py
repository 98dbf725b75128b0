"""Recomputing an organization's hash chain and naming its first broken link."""

from dataclasses import dataclass

from django.utils import timezone

from audit.hashing import SEALED_FIELDS, event_hash
from audit.models import AuditChainHead, AuditEvent, AuditPending, AuditSeal

_CHUNK = 20_000


@dataclass(frozen=True)
class VerifyReport:
    organization_id: int
    ok: bool
    checked: int
    pending: int
    last_seq: int
    first_broken_seq: int | None = None
    first_broken_event_id: int | None = None
    reason: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            return f"chain intact: {self.checked} sealed events verified, {self.pending} pending"
        return (
            f"chain broken at seq {self.first_broken_seq} (event #{self.first_broken_event_id}): "
            f"{self.reason}"
        )


def audit_verify(*, organization_id: int) -> VerifyReport:
    """Recompute every seal of the organization's chain in order; record and return the result.

    A changed event, a changed or missing seal, a removed event or a cut-off tail all break it.
    """
    head, _ = AuditChainHead.objects.get_or_create(organization_id=organization_id)
    report = _walk(head)
    AuditChainHead.objects.filter(pk=head.pk).update(
        verified_at=timezone.now(),
        verified_ok=report.ok,
        verified_through_seq=report.checked + head.anchor_seq if report.ok else 0,
        verified_message=report.message[:300],
    )
    return report


def _walk(head: AuditChainHead) -> VerifyReport:
    org_id = head.organization_id
    pending = AuditPending.objects.filter(organization_id_copy=org_id).count()
    fields = ["seq", "prev_hash", "hash", *(f"event__{name}" for name in SEALED_FIELDS)]
    expected_prev, expected_seq, checked = head.anchor_hash, head.anchor_seq + 1, 0
    last_seq = head.anchor_seq
    # Walk in seq ranges so each query is an index range scan and memory stays flat.
    while True:
        rows = list(
            AuditSeal.objects.filter(organization_id=org_id, seq__gte=expected_seq)
            .order_by("seq")
            .values_list(*fields)[:_CHUNK]
        )
        for seq, prev_hash, stored_hash, *event in rows:
            broken = None
            if seq != expected_seq:
                broken = f"seq {expected_seq} is missing (an event or its seal was removed)"
            elif prev_hash != expected_prev:
                broken = "the seal does not follow its predecessor's hash"
            elif event_hash(prev_hash=prev_hash, seq=seq, row=tuple(event)) != stored_hash:
                broken = "the event's content no longer matches its hash"
            if broken:
                return VerifyReport(
                    org_id, False, checked, pending, last_seq, expected_seq, event[0], broken
                )
            checked += 1
            last_seq = seq
            expected_prev, expected_seq = stored_hash, seq + 1
        if len(rows) < _CHUNK:
            break
    if last_seq != head.last_seq or expected_prev != head.last_hash:
        return VerifyReport(
            org_id,
            False,
            checked,
            pending,
            last_seq,
            last_seq + 1,
            None,
            f"the chain ends at seq {last_seq} but its head says {head.last_seq}",
        )
    events = AuditEvent.objects.filter(organization_id=org_id).count()
    if events != checked + pending:
        return VerifyReport(
            org_id,
            False,
            checked,
            pending,
            last_seq,
            None,
            None,
            f"{events - checked - pending} event(s) carry no seal and are not pending",
        )
    return VerifyReport(org_id, True, checked, pending, last_seq)
