"""Recomputing an organization's hash chain and naming its first broken link."""

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.hashing import (
    SEALED_FIELDS,
    chain_hash,
    chain_hash_sql,
    content_digest_py,
    content_digest_sql,
)
from audit.models import AuditChainHead, AuditEvent, AuditPending, AuditSeal

_CHUNK = 20_000
_SEAL = AuditSeal._meta.db_table
_EVENT = AuditEvent._meta.db_table

REASONS = {
    "missing": "seq {seq} is missing (an event or its seal was removed)",
    "link": "the seal does not follow its predecessor's hash",
    "content": "the event's content no longer matches its hash",
}

# Every link is checked against the stored hash of its predecessor, so the whole chain can be
# checked in one set-based scan: window functions pair each seal with the previous one.
_VERIFY_SQL = f"""
WITH chain AS (
    SELECT s.seq, s.event_id, s.prev_hash, s.hash,
           lag(s.seq) OVER w AS prior_seq,
           lag(s.hash) OVER w AS prior_hash,
           {chain_hash_sql("s.prev_hash", "s.seq", content_digest_sql("e"))} AS recomputed
    FROM {_SEAL} s JOIN {_EVENT} e ON e.id = s.event_id
    WHERE s.organization_id = %(org)s
    WINDOW w AS (ORDER BY s.seq)
), checked AS (
    SELECT seq, event_id, hash,
           CASE WHEN seq <> coalesce(prior_seq, %(anchor_seq)s) + 1 THEN 'missing'
                WHEN prev_hash <> coalesce(prior_hash, %(anchor_hash)s) THEN 'link'
                WHEN hash <> recomputed THEN 'content' END AS problem
    FROM chain
)
SELECT (SELECT count(*) FROM checked),
       (SELECT max(seq) FROM checked),
       (SELECT hash FROM checked ORDER BY seq DESC LIMIT 1),
       first.seq, first.event_id, first.problem,
       (SELECT count(*) FROM checked c WHERE c.seq < first.seq)
FROM (SELECT 1) one
LEFT JOIN LATERAL (
    SELECT seq, event_id, problem FROM checked WHERE problem IS NOT NULL ORDER BY seq LIMIT 1
) first ON true
"""  # noqa: S608 - table names and expressions are constants; values are parameters


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
            return _("chain intact: %(checked)d sealed events verified, %(pending)d pending") % {
                "checked": self.checked,
                "pending": self.pending,
            }
        return _("chain broken at seq %(seq)s (event #%(event)s): %(reason)s") % {
            "seq": self.first_broken_seq,
            "event": self.first_broken_event_id,
            "reason": self.reason,
        }


def audit_verify(*, organization_id: int) -> VerifyReport:
    """Recompute every seal of the organization's chain in order; record and return the result.

    A changed event, a changed or missing seal, a removed event or a cut-off tail all break it.
    """
    head, _ = AuditChainHead.objects.get_or_create(organization_id=organization_id)
    walk = _walk_sql if connection.vendor == "postgresql" else _walk_python
    result = walk(head)
    report = result if isinstance(result, VerifyReport) else _check_tail_and_counts(head, result)
    AuditChainHead.objects.filter(pk=head.pk).update(
        verified_at=timezone.now(),
        verified_ok=report.ok,
        verified_through_seq=report.last_seq if report.ok else 0,
        verified_message=report.message[:300],
    )
    return report


@dataclass(frozen=True)
class _WalkEnd:
    """Where an unbroken walk ended: the tail and counts are checked against it."""

    checked: int
    last_seq: int
    last_hash: str | None


def _pending(org_id: int) -> int:
    return AuditPending.objects.filter(organization_id_copy=org_id).count()


def _broken(head, checked, last_seq, seq, event_id, reason) -> VerifyReport:
    org_id = head.organization_id
    return VerifyReport(org_id, False, checked, _pending(org_id), last_seq, seq, event_id, reason)


def _walk_sql(head: AuditChainHead) -> VerifyReport | _WalkEnd:
    params = {
        "org": head.organization_id,
        "anchor_seq": head.anchor_seq,
        "anchor_hash": head.anchor_hash,
    }
    with connection.cursor() as cursor:
        cursor.execute(_VERIFY_SQL, params)
        total, last_seq, last_hash, seq, event_id, problem, before = cursor.fetchone()
    if problem:
        expected = head.anchor_seq + 1 + before
        if problem == "missing":
            # The gap is just before the first seal that does not follow on.
            return _broken(
                head,
                before,
                expected - 1,
                expected,
                event_id,
                REASONS["missing"].format(seq=expected),
            )
        return _broken(head, before, seq - 1, seq, event_id, REASONS[problem])
    return _WalkEnd(total, last_seq or head.anchor_seq, last_hash)


def _walk_python(head: AuditChainHead) -> VerifyReport | _WalkEnd:
    org_id = head.organization_id
    fields = ["seq", "prev_hash", "hash", *(f"event__{name}" for name in SEALED_FIELDS)]
    expected_prev, expected_seq, checked = head.anchor_hash, head.anchor_seq + 1, 0
    # Walk in seq ranges so each query is an index range scan and memory stays flat.
    while True:
        rows = list(
            AuditSeal.objects.filter(organization_id=org_id, seq__gte=expected_seq)
            .order_by("seq")
            .values_list(*fields)[:_CHUNK]
        )
        for seq, prev_hash, stored_hash, *event in rows:
            reason = None
            if seq != expected_seq:
                reason = REASONS["missing"].format(seq=expected_seq)
            elif prev_hash != expected_prev:
                reason = REASONS["link"]
            elif chain_hash(prev_hash=prev_hash, seq=seq, digest=content_digest_py(event)) != (
                stored_hash
            ):
                reason = REASONS["content"]
            if reason:
                return _broken(head, checked, expected_seq - 1, expected_seq, event[0], reason)
            checked += 1
            expected_prev, expected_seq = stored_hash, seq + 1
        if len(rows) < _CHUNK:
            break
    return _WalkEnd(checked, expected_seq - 1, expected_prev if checked else None)


def _check_tail_and_counts(head, end: _WalkEnd) -> VerifyReport:
    org_id = head.organization_id
    checked, last_seq, last_hash = end.checked, end.last_seq, end.last_hash
    pending = _pending(org_id)
    if last_seq != head.last_seq or (checked and last_hash != head.last_hash):
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
