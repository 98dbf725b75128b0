"""Appending events. Cheap and lock-free: sealing happens after commit, in batches."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from audit.actors import Actor
from audit.models import AuditEvent, AuditPending

# Audit rows are kept for years and exported to regulators: face data and secrets never go in.
_FORBIDDEN_KEYS = frozenset(
    {
        "template",
        "templates",
        "encoding",
        "encodings",
        "embedding",
        "image",
        "images",
        "photo",
        "secret",
        "password",
        "token",
        "api_key",
        "code",
    }
)


@dataclass(frozen=True)
class EventSpec:
    """One event of a bulk operation (``audit_record_many``)."""

    action: str
    target_type: str = ""
    target_id: str = ""
    subject_pseudonym: str = ""
    details: dict = field(default_factory=dict)


def _check_details(details: dict, path: str = "details") -> None:
    for key, value in details.items():
        if str(key).lower() in _FORBIDDEN_KEYS:
            raise ValueError(f"{path}.{key}: audit events must not carry face data or secrets")
        if isinstance(value, bytes | bytearray | memoryview) or hasattr(value, "__array__"):
            raise ValueError(f"{path}.{key}: binary data is not allowed in audit events")
        if isinstance(value, dict):
            _check_details(value, f"{path}.{key}")


def _build(organization_id: int, actor: Actor, spec: EventSpec) -> AuditEvent:
    _check_details(spec.details)
    return AuditEvent(
        organization_id=organization_id,
        actor_type=actor.kind,
        actor_id=str(actor.id or ""),
        actor_label=actor.label[:200],
        action=spec.action,
        target_type=spec.target_type,
        target_id=str(spec.target_id or ""),
        subject_pseudonym=str(spec.subject_pseudonym or ""),
        request_id=actor.request_id[:64],
        ip=actor.ip or None,
        details=spec.details,
    )


def audit_record(
    *,
    organization_id: int,
    actor: Actor,
    action: str,
    target_type: str = "",
    target_id: str | int = "",
    subject_pseudonym: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction; it is sealed after commit.

    Raise ValueError when ``details`` carries binary data or a key reserved for secrets.
    """
    spec = EventSpec(action, target_type, str(target_id), str(subject_pseudonym), details or {})
    return audit_record_many(organization_id=organization_id, actor=actor, events=[spec])[0]


def audit_record_many(
    *, organization_id: int, actor: Actor, events: Iterable[EventSpec]
) -> list[AuditEvent]:
    """Append one event per spec with two bulk inserts (bulk operations are audited too)."""
    rows = [_build(organization_id, actor, spec) for spec in events]
    if not rows:
        return []
    with transaction.atomic():
        created = AuditEvent.objects.bulk_create(rows)
        AuditPending.objects.bulk_create(
            AuditPending(event_id=event.pk, organization_id_copy=organization_id)
            for event in created
        )
        transaction.on_commit(lambda: _seal_after_commit(organization_id))
    return created


def _seal_after_commit(organization_id: int) -> None:
    from audit.services.sealing import audit_seal_pending

    # Best effort: a sealer already at work skips us, and the periodic task picks up the rest.
    audit_seal_pending(organization_id=organization_id, wait=False)
