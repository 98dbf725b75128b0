"""The append-only history every consent transition writes, and the signals sent after it."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from consent import signals
from consent.models import Consent, ConsentEvent

# PIPL Art. 56, FRM Art. 9 (R16): records kept at least three years after the last event.
RECORD_RETENTION = timedelta(days=3 * 365 + 1)


def signal_kwargs(consent: Consent, actor: Actor) -> dict:
    return {
        "organization_id": consent.organization_id,
        "subject_id": consent.subject_pseudonym,
        "consent_id": consent.pk,
        "purpose_version_id": consent.purpose_version_id,
        "purpose_id": consent.purpose_id,
        "actor": actor,
    }


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
    return event


def transition(
    consent: Consent, *, to_state: str, event_type: str, actor: Actor, reason: str
) -> ConsentEvent:
    previous = consent.state
    consent.state = to_state
    event = append_event(consent, type=event_type, from_state=previous, actor=actor, reason=reason)
    consent.save(update_fields=["state", "state_changed_at", "retain_until"])
    kwargs = signal_kwargs(consent, actor) | {"from_state": previous, "to_state": to_state}
    transaction.on_commit(lambda: signals.consent_state_changed.send(sender=Consent, **kwargs))
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
