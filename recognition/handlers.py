"""Receivers of the consent app's signals. Plumbing: each calls one service."""

from recognition.services.galleries import gallery_subject_refresh
from recognition.services.templates import DeletionReason, templates_purge_unneeded


def on_consent_withdrawn(sender, *, organization_id, subject_id, actor, **kwargs):
    # PIPL Art. 47 (R13, R22): templates that no active consent still needs go now.
    templates_purge_unneeded(
        organization_id=organization_id,
        subject_pseudonym=subject_id,
        actor=actor,
        reason=DeletionReason.CONSENT_WITHDRAWN,
    )


def on_consent_state_changed(sender, *, organization_id, subject_id, actor, to_state, **kwargs):
    # Expired or restricted consents stop matching at once (gallery bump); storage follows
    # the consent: an ended consent's templates are purged, a restricted one's are kept (R22).
    templates_purge_unneeded(
        organization_id=organization_id,
        subject_pseudonym=subject_id,
        actor=actor,
        reason=DeletionReason.CONSENT_ENDED,
    )


def on_consent_event_saved(sender, *, instance, created, **kwargs):
    # A consent given again (re-consent after a purpose change, or after a withdrawal while
    # another consent kept storage) brings the subject's still-stored templates back into the
    # galleries, in the grant's own transaction. Only "given" sends no consent signal.
    if created and instance.type == sender.Type.GIVEN:
        gallery_subject_refresh(
            subject=instance.consent.subject,
            purpose_ids=[instance.consent.purpose_id],
        )
