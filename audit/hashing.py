"""What a seal covers: the event's content digest, chained to its predecessor.

``chain_hash = SHA-256("<prev_hash>:<seq>:<content_digest>")`` and ``content_digest`` is the
SHA-256 of the event's columns as one canonical JSON array. On PostgreSQL the content digest is
computed by the database (jsonb renders canonically), so sealing and verification read a short
digest per event instead of converting every column in Python: verifying a million events is a
single scan. Elsewhere (the SQLite demo) the same columns are digested in Python. A chain is
always sealed and verified by the same engine, so each engine's canonical form stays its own.
"""

import hashlib
import json
from datetime import UTC

from audit.models import AuditEvent

# The columns a seal covers, in this order. Changing the list breaks every existing chain.
SEALED_FIELDS = (
    "id",
    "organization_id",
    "created_at",
    "actor_type",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "subject_pseudonym",
    "request_id",
    "ip",
    "details",
)

_EVENT = AuditEvent._meta.db_table


def entry_sql(alias: str = "e") -> str:
    """Return a PostgreSQL expression for the canonical entry (JSON array text) of ``alias``.

    The entry is what the Merkle tree's leaf hashes and what an export hands a verifier, who
    hashes these exact bytes instead of re-deriving a canonical form.
    """
    columns = []
    for name in SEALED_FIELDS:
        column = f"{alias}.{name}"
        if name == "created_at":
            column = f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        elif name == "ip":
            column = f"host({column})"
        columns.append(column)
    return f"jsonb_build_array({', '.join(columns)})::text"


def content_digest_sql(alias: str = "e") -> str:
    """Return a PostgreSQL expression for the content digest of event row ``alias``."""
    return f"encode(sha256(convert_to({entry_sql(alias)}, 'UTF8')), 'hex')"


def chain_hash_sql(prev: str, seq: str, digest: str) -> str:
    """Return a PostgreSQL expression for the chain hash over the given SQL expressions."""
    return f"encode(sha256(convert_to({prev} || ':' || {seq} || ':' || {digest}, 'UTF8')), 'hex')"


def entry_py(row: tuple) -> str:
    """Return the canonical entry of SEALED_FIELDS values as the ORM reads them (non-PostgreSQL)."""
    values = list(row)
    values[2] = values[2].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_digest_py(row: tuple) -> str:
    """Return the content digest of SEALED_FIELDS values as the ORM reads them (non-PostgreSQL)."""
    return hashlib.sha256(entry_py(row).encode()).hexdigest()


def chain_hash(*, prev_hash: str, seq: int, digest: str) -> str:
    """Return the hex SHA-256 linking an event's content digest to its predecessor's hash."""
    return hashlib.sha256(f"{prev_hash}:{seq}:{digest}".encode()).hexdigest()
