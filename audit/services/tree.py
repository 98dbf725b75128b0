"""Each organization's Merkle tree: extended by the sealer, read for roots and proofs.

Leaf i is the event sealed with seq i + 1; its hash is SHA-256(0x00 || entry), where the entry is
the event's canonical JSON (``audit.hashing.entry_sql``). The head keeps the frontier, so
extending costs only the new leaves, and every complete node is stored (``AuditTreeNode``), so a
proof at any size reads a few dozen rows by primary key.
"""

from django.db import connection
from django.db.models import Q

from audit import merkle
from audit.hashing import SEALED_FIELDS, entry_py, entry_sql
from audit.models import AuditChainHead, AuditEvent, AuditSeal, AuditTreeNode

_NODE = AuditTreeNode._meta.db_table
_SEAL = AuditSeal._meta.db_table
_EVENT = AuditEvent._meta.db_table
_BACKFILL_CHUNK = 20_000

# The leaf hash computed by the database from the same entry text that the export hands out.
LEAF_SQL = "sha256('\\x00'::bytea || convert_to({entry}, 'UTF8'))"


def frontier_of(head: AuditChainHead) -> merkle.Frontier:
    return merkle.Frontier(head.tree_size, (bytes.fromhex(h) for h in head.tree_frontier))


def tree_extend(head: AuditChainHead, leaves: list[bytes]) -> None:
    """Append leaf hashes to the head's tree and store the nodes they complete.

    Runs in the sealer's transaction with the head locked; the caller saves the head.
    """
    if not leaves:
        return
    frontier = frontier_of(head)
    nodes = []
    for leaf in leaves:
        nodes.extend(frontier.append(leaf))
    org_id = head.organization_id
    if connection.vendor == "postgresql" and nodes:
        levels, positions, digests = zip(*nodes, strict=True)
        # One INSERT of column arrays, not COPY FROM: row-level security refuses COPY FROM for
        # the application's (non-owner) role.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_NODE} (organization_id, level, position, hash) "  # noqa: S608
                "SELECT %s, lv, pos, h FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[]) "
                "AS t(lv, pos, h)",
                [org_id, list(levels), list(positions), [bytes(d) for d in digests]],
            )
    elif connection.vendor != "postgresql":
        AuditTreeNode.objects.bulk_create(
            AuditTreeNode(organization_id=org_id, level=lv, position=pos, hash=digest)
            for lv, pos, digest in nodes
        )
    head.tree_size = frontier.size
    head.tree_frontier = [h.hex() for h in frontier.hashes()]


def tree_backfill(head: AuditChainHead) -> None:
    """Add to the tree the events sealed before it existed (seq tree_size + 1 .. last_seq)."""
    while head.tree_size < head.last_seq:
        first = head.tree_size + 1
        last = min(head.last_seq, first + _BACKFILL_CHUNK - 1)
        entries = sealed_entries(head.organization_id, first, last)
        if len(entries) != last - first + 1:
            raise RuntimeError(
                f"cannot build the tree of organization {head.organization_id}: seals "
                f"{first}..{last} are incomplete (purged or removed)"
            )
        tree_extend(head, [merkle.leaf_hash(entry.encode()) for _, _, entry in entries])


def sealed_entries(organization_id: int, first_seq: int, last_seq: int) -> list[tuple]:
    """Return (seq, event id, entry) of the sealed events with seq in [first_seq, last_seq]."""
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT s.seq, e.id, {entry_sql('e')} FROM {_SEAL} s "  # noqa: S608
            f"JOIN {_EVENT} e ON e.id = s.event_id "
            "WHERE s.organization_id = %s AND s.seq BETWEEN %s AND %s ORDER BY s.seq"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [organization_id, first_seq, last_seq])
            return cursor.fetchall()
    fields = ["seq", *(f"event__{name}" for name in SEALED_FIELDS)]
    rows = (
        AuditSeal.objects.filter(
            organization_id=organization_id, seq__gte=first_seq, seq__lte=last_seq
        )
        .order_by("seq")
        .values_list(*fields)
    )
    return [(seq, event[0], entry_py(event)) for seq, *event in rows]


def sealed_entries_at(organization_id: int, seqs: list[int]) -> list[tuple]:
    """Return (seq, event id, entry) of the sealed events with the given seqs, in seq order."""
    if not seqs:
        return []
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT s.seq, e.id, {entry_sql('e')} FROM {_SEAL} s "  # noqa: S608
            f"JOIN {_EVENT} e ON e.id = s.event_id "
            "WHERE s.organization_id = %s AND s.seq = ANY(%s) ORDER BY s.seq"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [organization_id, list(seqs)])
            return cursor.fetchall()
    fields = ["seq", *(f"event__{name}" for name in SEALED_FIELDS)]
    rows = (
        AuditSeal.objects.filter(organization_id=organization_id, seq__in=list(seqs))
        .order_by("seq")
        .values_list(*fields)
    )
    return [(seq, event[0], entry_py(event)) for seq, *event in rows]


def _fetch(organization_id: int, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    if not wanted:
        return {}
    keys = sorted(wanted)
    if connection.vendor == "postgresql":
        # Two arrays instead of thousands of OR-ed conditions: one index probe per node.
        sql = (
            f"SELECT n.level, n.position, n.hash FROM {_NODE} n "  # noqa: S608
            "JOIN unnest(%s::smallint[], %s::bigint[]) AS k(level, position) "
            "ON n.level = k.level AND n.position = k.position WHERE n.organization_id = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [[k[0] for k in keys], [k[1] for k in keys], organization_id])
            rows = cursor.fetchall()
    else:
        rows = []
        for start in range(0, len(keys), 400):
            match = Q()
            for level, position in keys[start : start + 400]:
                match |= Q(level=level, position=position)
            rows += AuditTreeNode.objects.filter(
                Q(organization_id=organization_id) & match
            ).values_list("level", "position", "hash")
    found = {(level, position): bytes(digest) for level, position, digest in rows}
    if len(found) != len(wanted):
        missing = sorted(wanted - found.keys())[:3]
        raise LookupError(f"tree nodes missing for organization {organization_id}: {missing}")
    return found


def _with_nodes(organization_id: int, compute):
    """Run ``compute(get)`` once to learn the nodes it reads, fetch them in one query, rerun."""
    nodes = _fetch(organization_id, merkle.needed_nodes(compute))
    return compute(lambda level, position: nodes[(level, position)])


def tree_root(*, organization_id: int, size: int) -> bytes:
    """Return the root hash of the organization's tree at ``size`` leaves."""
    if size == 0:
        return merkle.EMPTY_ROOT
    return _with_nodes(organization_id, lambda get: merkle.subtree_hash(get, 0, size))


def tree_inclusion_proof(*, organization_id: int, index: int, size: int) -> list[bytes]:
    """Return the audit path of leaf ``index`` in the tree of ``size`` leaves."""
    return _with_nodes(organization_id, lambda get: merkle.inclusion_path(get, index, size))


def tree_inclusion_proofs(*, organization_id: int, indexes: list[int], size: int) -> list:
    """Return the audit paths of several leaves in the tree of ``size``, in one read."""
    return _with_nodes(
        organization_id, lambda get: [merkle.inclusion_path(get, i, size) for i in indexes]
    )


def tree_consistency_proof(*, organization_id: int, old_size: int, new_size: int) -> list[bytes]:
    """Return the proof that the tree at ``old_size`` is a prefix of the tree at ``new_size``."""
    if old_size == new_size or old_size == 0:
        return []
    return _with_nodes(
        organization_id, lambda get: merkle.consistency_path(get, old_size, new_size)
    )
