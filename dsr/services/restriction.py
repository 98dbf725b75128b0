"""Restriction (PIPL Art. 44, 47; GDPR Art. 18) and objection to automated decisions (R43).

A restricted consent counts as not active, so galleries leave the subject out and enrollment
refuses them; the templates stay encrypted in storage (R22: storage and security only). The
gallery versions are bumped in the same transaction so that no worker keeps matching against a
cached gallery that still holds the subject.
"""

from django.db import transaction

from audit.actors import Actor
from audit.services import audit_record
from consent.models import Consent, Subject
from consent.services import consent_restore, consent_restrict
from recognition.services.galleries import gallery_subject_refresh


@transaction.atomic
def dsr_restriction_apply(*, subject: Subject, actor: Actor, reason: str) -> dict:
    """Restrict every active consent of the subject; return how many and which purposes."""
    consents = list(Consent.objects.filter(subject=subject, state=Consent.State.ACTIVE))
    for consent in consents:
        consent_restrict(consent=consent, actor=actor, reason=reason)
    purposes = sorted({c.purpose_id for c in Consent.objects.filter(subject=subject)})
    if purposes:
        gallery_subject_refresh(subject=subject, purpose_ids=purposes)
    return {"consents_restricted": len(consents), "purposes": purposes}


@transaction.atomic
def dsr_restriction_lift(*, subject: Subject, actor: Actor, reason: str) -> int:
    """Restore the subject's restricted consents (re-consent where the purpose changed)."""
    consents = list(Consent.objects.filter(subject=subject, state=Consent.State.RESTRICTED))
    for consent in consents:
        consent_restore(consent=consent, actor=actor, reason=reason)
    if consents:
        gallery_subject_refresh(subject=subject, purpose_ids={c.purpose_id for c in consents})
    return len(consents)


@transaction.atomic
def dsr_objection_record(*, subject: Subject, actor: Actor) -> None:
    """Record the person's refusal of decisions made by automation alone (R43).

    From now on every match naming them needs a human reviewer before any action.
    """
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if subject.objects_to_automated_decisions:
        return
    subject.objects_to_automated_decisions = True
    subject.save(update_fields=["objects_to_automated_decisions", "updated_at"])
    audit_record(
        organization_id=subject.organization_id,
        actor=actor,
        action="subject.objected_to_automated_decisions",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
    )
