"""Restriction (PIPL Art. 44, 47; GDPR Art. 18) and objection to automated decisions (R43).

A restricted consent is not usable, so enrollment refuses the subject and results never name
them from the commit on (job_results_write re-checks under a lock); the templates stay encrypted
in storage (R22: storage and security only). Each consent transition records its own event, and
recognition's reaction takes the templates out of the galleries (or back in, on lifting).
"""

from django.db import transaction

from audit.actors import Actor
from audit.services import audit_record
from consent.models import Consent, Subject
from consent.services import consent_restore, consent_restrict


@transaction.atomic
def dsr_restriction_apply(*, subject: Subject, actor: Actor, reason: str) -> dict:
    """Restrict every active consent of the subject; return how many and which purposes."""
    consents = list(Consent.objects.filter(subject=subject).restrictable())
    for consent in consents:
        consent_restrict(consent=consent, actor=actor, reason=reason)
    purposes = sorted({c.purpose_id for c in Consent.objects.filter(subject=subject)})
    return {"consents_restricted": len(consents), "purposes": purposes}


@transaction.atomic
def dsr_restriction_lift(*, subject: Subject, actor: Actor, reason: str) -> int:
    """Restore the subject's restricted consents (re-consent where the purpose changed)."""
    consents = list(Consent.objects.filter(subject=subject).restricted())
    for consent in consents:
        consent_restore(consent=consent, actor=actor, reason=reason)
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
