"""An audit event's target as the API names it, derived when the event is read (issue 18).

Events store their target as the service recorded it: a consent or a subject by its row id
(``consent:1``), while the API names a consent by its UUID and a subject by its pseudonym, so
an operator could not join the trail to their own objects. The stored value is sealed into the
hash chain and the Merkle tree (docs/audit.md), so it is never rewritten: the public id is
looked up at read time, one query per kind of target on a page. Every other kind is already
stored under the id the API uses (a deployment's number, a job's or an enrollment's UUID).
"""

import uuid
from collections import defaultdict

from django.db.models import Q

from consent.models import Consent, Subject

# Target types stored by row id whose API id is another column: (model, public column).
PUBLIC_COLUMNS = {"consent": (Consent, "public_id"), "subject": (Subject, "pseudonym")}


def audit_targets_public(events, *, organization) -> dict[tuple[str, str], str | None]:
    """Return ``{(target_type, stored id): public id}`` for the events' translated targets.

    A target whose row is gone maps to None: the event stays readable, unjoinable.
    """
    wanted = defaultdict(set)
    for event in events:
        if event.target_type in PUBLIC_COLUMNS and event.target_id.isdigit():
            wanted[event.target_type].add(int(event.target_id))
    found: dict[tuple[str, str], str | None] = {}
    for target_type, ids in wanted.items():
        model, column = PUBLIC_COLUMNS[target_type]
        rows = model.objects.for_org(organization).filter(pk__in=ids).values_list("pk", column)
        public = {pk: str(value) for pk, value in rows}
        for pk in ids:
            found[(target_type, str(pk))] = public.get(pk)
    return found


def audit_target_public(event, resolved: dict) -> dict | None:
    """Return ``{"type", "id"}`` naming the event's target as the API does, or None."""
    if not event.target_type:
        return None
    if event.target_type in PUBLIC_COLUMNS:
        return {"type": event.target_type, "id": resolved.get((event.target_type, event.target_id))}
    return {"type": event.target_type, "id": event.target_id or None}


def audit_target_q(value: str, *, organization) -> Q:
    """Return the condition "the event's target is the object the API names ``value``".

    A UUID may be a consent's id or a subject's pseudonym (or a job's, an enrollment's id, stored
    as such); any other value is an id stored as the API shows it.
    """
    try:
        as_uuid = uuid.UUID(value)
    except ValueError:
        return Q(target_id=value) & ~Q(target_type__in=PUBLIC_COLUMNS)
    condition = Q(target_id=str(as_uuid)) & ~Q(target_type__in=PUBLIC_COLUMNS)
    for target_type, (model, column) in PUBLIC_COLUMNS.items():
        pks = model.objects.for_org(organization).filter(**{column: as_uuid}).values("pk")
        ids = [str(row["pk"]) for row in pks]
        if ids:
            condition |= Q(target_type=target_type, target_id__in=ids)
    return condition
