"""The canonical content of an audit event and its chain hash."""

import hashlib
import json

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


def event_hash(*, prev_hash: str, seq: int, row: tuple) -> str:
    """Return the hex SHA-256 over the predecessor's hash, the sequence number and the row.

    ``row`` holds the SEALED_FIELDS values as read back from the database, so the hash covers
    exactly what is stored (JSON key order and number forms are normalized by sort_keys).
    """
    values = list(row)
    values[2] = values[2].isoformat()  # created_at
    payload = json.dumps(
        [prev_hash, seq, values], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()
