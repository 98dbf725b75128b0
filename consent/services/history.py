"""The append-only history every consent transition writes, and the one event each records.

``append_event`` is the only writer of ``ConsentEvent``; it also records the transition's outbox
event (topic ``consent.<type>``) in the same transaction, so every transition announces itself
exactly once and a broker outage after the commit loses nothing (outbox re-dispatches).
"""

from datetime import timedelta

from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from consent.models import Consent, ConsentEvent, Subject
from outbox.services import event_record

# PIPL Art. 56, FRM Art. 9 (R16): records kept at least three years after the last event.
RECORD_RETENTION = timedelta(days=3 * 365 + 1)


# The topic of the subject-level event recorded when a subject's identity is erased.
TOPIC_ERASED = "consent.erased"


def topic_for(event_type: str) -> str:
    """Return the outbox topic of a consent transition (settings.OUTBOX_SUBSCRIBERS keys)."""
    return f"consent.{event_type}"


def _actor_ids(actor: Actor) -> dict:
    return {"actor_kind": actor.kind, "actor_id": str(actor.id or "")[:64]}


def subject_erased_record(*, subject: Subject, actor: Actor) -> None:
    """Record the erasure of a subject's identity as one event (ids only)."""
    event_record(
        topic=TOPIC_ERASED,
        organization_id=subject.organization_id,
        payload={
            "subject_id": subject.pk,
            "subject_pseudonym": str(subject.pseudonym),
            **_actor_ids(actor),
        },
    )


def append_event(
    consent: Consent, *, type: str, from_state: str, actor: Actor, channel="", reason=""
) -> ConsentEvent:
    now = timezone.now()
    event = ConsentEvent.objects.create(
        consent=consent,
        organization_id=consent.organization_id,
        subject_pseudonym=consent.subject_pseudonym,
        type=type,
        from_state=from_state,
        to_state=consent.state,
        at=now,
        actor_type=actor.kind,
        actor_id=str(actor.id or "")[:64],
        channel=channel,
        reason=reason[:300],
        retain_until=now + RECORD_RETENTION,
    )
    consent.state_changed_at = now
    consent.retain_until = event.retain_until
    # Same transaction as the change: both commit, or neither (transactional outbox).
    event_record(
        topic=topic_for(type),
        organization_id=consent.organization_id,
        payload={
            "consent_id": consent.pk,
            "consent_event_id": event.pk,
            "subject_id": consent.subject_id,
            "subject_pseudonym": str(consent.subject_pseudonym),
            "purpose_id": consent.purpose_id,
            "purpose_version_id": consent.purpose_version_id,
            **_actor_ids(actor),
        },
    )
    return event


def transition(
    consent: Consent, *, to_state: str, event_type: str, actor: Actor, reason: str
) -> ConsentEvent:
    previous = consent.state
    consent.state = to_state
    event = append_event(consent, type=event_type, from_state=previous, actor=actor, reason=reason)
    consent.save(update_fields=["state", "state_changed_at", "retain_until"])
    return event


def audit_transition(consent: Consent, actor: Actor, action: str, reason: str) -> None:
    audit_record(
        organization_id=consent.organization_id,
        actor=actor,
        action=action,
        target_type="consent",
        target_id=consent.pk,
        subject_pseudonym=str(consent.subject_pseudonym),
        details={"reason": reason[:300], "to": consent.state},
    )
