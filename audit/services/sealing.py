"""Sequencing and sealing pending events into each organization's hash chain and Merkle tree.

Sealing runs for every event ever written, so it reads, hashes and writes in bulk: one joined
read of the pending events (each one's chain digest and leaf hash computed by the database), one
INSERT of their seals and one of the tree nodes they complete (from column arrays on PostgreSQL;
not COPY, which row-level security refuses), one delete of their markers. A signed checkpoint
follows when AUDIT_CHECKPOINT_SECONDS have passed since the last.
"""

import contextlib
import hashlib

from django.db import connection, transaction
from django.utils import timezone

from audit import merkle
from audit.hashing import SEALED_FIELDS, chain_hash, entry_py, entry_sql
from audit.models import AuditChainHead, AuditEvent, AuditPending, AuditSeal
from audit.services.checkpoints import CheckpointRefused, checkpoint_due, checkpoint_sign
from audit.services.tree import LEAF_SQL, tree_backfill, tree_extend

BATCH_SIZE = 5000

_EVENT = AuditEvent._meta.db_table
_PENDING = AuditPending._meta.db_table
_SEAL = AuditSeal._meta.db_table
_SEAL_COLUMNS = ("event_id", "organization_id", "seq", "prev_hash", "hash", "sealed_at")


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
    with transaction.atomic():
        _as_platform()
        AuditChainHead.objects.get_or_create(organization_id=org_id)
        heads = AuditChainHead.objects.filter(organization_id=org_id)
        if connection.features.has_select_for_update_skip_locked and not wait:
            heads = heads.select_for_update(skip_locked=True)
        else:
            heads = heads.select_for_update()
        head = heads.first()
        if head is None:
            return 0
        # Events sealed before the tree existed join it first, so leaf i stays seq i + 1.
        tree_backfill(head)
        digests = _pending_digests(org_id, batch_size)
        if not digests:
            return 0
        now = timezone.now()
        seals = []
        prev_hash, seq = head.last_hash, head.last_seq
        for event_id, digest, _ in digests:
            seq += 1
            sealed_hash = chain_hash(prev_hash=prev_hash, seq=seq, digest=digest)
            seals.append((event_id, org_id, seq, prev_hash, sealed_hash, now))
            prev_hash = sealed_hash
        _write_seals(seals)
        tree_extend(head, [bytes(leaf) for _, _, leaf in digests])
        head.last_seq, head.last_hash = seq, prev_hash
        head.save(update_fields=["last_seq", "last_hash", "tree_size", "tree_frontier"])
        if checkpoint_due(head):
            # Refused (and logged as an error) when the tree contradicts the last checkpoint:
            # the events stay sealed, but nothing vouches for a rewritten history.
            with contextlib.suppress(CheckpointRefused):
                checkpoint_sign(head)
        return len(seals)


def _as_platform() -> None:
    """Let this transaction see every organization's audit rows (row-level security).

    Sealing is the platform's work: a request scoped to one organization may seal another's
    events it wrote (a person's change audited in each of their organizations), and a chain
    head hidden by the wall would be created twice. Reverts when the transaction ends.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.organization_id', '*', true)")


def _pending_digests(org_id: int, batch_size: int) -> list[tuple[int, str, bytes]]:
    """Return (event id, content digest, leaf hash) of the oldest pending events, by event id."""
    if connection.vendor == "postgresql":
        # The entry is rendered once per event and both hashes are taken of the same bytes.
        sql = (
            "SELECT id, encode(sha256(convert_to(entry, 'UTF8')), 'hex'), "  # noqa: S608
            f"{LEAF_SQL.format(entry='entry')} FROM ("
            f"SELECT e.id, {entry_sql('e')} AS entry FROM {_PENDING} p "
            f"JOIN {_EVENT} e ON e.id = p.event_id "
            "WHERE p.organization_id_copy = %s ORDER BY p.event_id LIMIT %s) pending "
            "ORDER BY id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [org_id, batch_size])
            return cursor.fetchall()
    rows = (
        AuditEvent.objects.filter(
            pk__in=AuditPending.objects.filter(organization_id_copy=org_id)
            .order_by("event_id")
            .values("event_id")[:batch_size]
        )
        .order_by("id")
        .values_list(*SEALED_FIELDS)
    )
    entries = [(row[0], entry_py(row).encode()) for row in rows]
    return [
        (event_id, hashlib.sha256(entry).hexdigest(), merkle.leaf_hash(entry))
        for event_id, entry in entries
    ]


def _write_seals(seals: list[tuple]) -> None:
    """Insert the seals and drop their pending markers, in the caller's transaction."""
    ids = [seal[0] for seal in seals]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One INSERT of column arrays: as fast as COPY here, and unlike COPY FROM it is
            # allowed on a table under row-level security (the application's role in production).
            event_ids, org_ids, seqs, prev_hashes, hashes, _ = zip(*seals, strict=True)
            cursor.execute(
                f"INSERT INTO {_SEAL} ({', '.join(_SEAL_COLUMNS)}) "  # noqa: S608
                "SELECT e, o, s, p, h, %s FROM unnest(%s::bigint[], %s::bigint[], "
                "%s::bigint[], %s::text[], %s::text[]) AS t(e, o, s, p, h)",
                [
                    seals[0][5],
                    list(event_ids),
                    list(org_ids),
                    list(seqs),
                    list(prev_hashes),
                    list(hashes),
                ],
            )
            # One array parameter rather than thousands of literals in an IN list.
            cursor.execute(f"DELETE FROM {_PENDING} WHERE event_id = ANY(%s)", [ids])  # noqa: S608
        else:
            AuditSeal.objects.bulk_create(
                AuditSeal(**dict(zip(_SEAL_COLUMNS, seal, strict=True))) for seal in seals
            )
            AuditPending.objects.filter(event_id__in=ids).delete()
