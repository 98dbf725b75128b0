"""The controller's transitions: restriction (R22), re-consent after a change (R11), expiry.

Each locks the consent row and appends one event; "re-consent required", "expired" and
"restricted" all count as not active, so matching stops the moment the transaction commits.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services.recording import EventSpec, audit_record_many
from consent.models import Consent, ConsentEvent
from consent.receipts import public_url
from consent.services.history import audit_transition, transition
from tenants.errors import ApplicationError, Conflict


@transaction.atomic
def consent_restrict(*, consent: Consent, actor: Actor, reason: str) -> Consent:
    """Stop all use of an active consent while a hold lasts (PIPL Art. 47, R22)."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.state != Consent.State.ACTIVE:
        raise Conflict("Only an active consent can be restricted.", code="not_active")
    if not reason.strip():
        raise ApplicationError("Give the reason for the restriction.", code="reason_missing")
    transition(
        consent,
        to_state=Consent.State.RESTRICTED,
        event_type=ConsentEvent.Type.RESTRICTED,
        actor=actor,
        reason=reason,
    )
    audit_transition(consent, actor, "consent.restricted", reason)
    return consent


@transaction.atomic
def consent_restore(*, consent: Consent, actor: Actor, reason: str) -> Consent:
    """Lift a restriction. A consent whose purpose changed meanwhile needs re-consent (R11)."""
    consent = Consent.objects.select_for_update().select_related("purpose").get(pk=consent.pk)
    if consent.state != Consent.State.RESTRICTED:
        raise Conflict("Only a restricted consent can be restored.", code="not_restricted")
    current = consent.purpose.current_version_id == consent.purpose_version_id
    transition(
        consent,
        to_state=Consent.State.ACTIVE if current else Consent.State.RECONSENT_REQUIRED,
        event_type=ConsentEvent.Type.RESTORED,
        actor=actor,
        reason=reason,
    )
    audit_transition(consent, actor, "consent.restored", reason)
    return consent


def consents_require_reconsent(
    *, organization_id: int, old_version_ids, actor: Actor, reason: str = ""
) -> int:
    """Move the active consents of superseded purpose versions to re-consent required (R11).

    "Re-consent required" counts as not active, so matching for those subjects stops at once.
    Each subject with an e-mail address is told after the commit. Return how many moved.
    """
    with transaction.atomic():
        consents = list(
            Consent.objects.select_for_update()
            .filter(
                organization_id=organization_id,
                purpose_version_id__in=list(old_version_ids),
                state=Consent.State.ACTIVE,
            )
            .select_related("subject", "purpose", "organization")
        )
        specs = []
        for consent in consents:
            transition(
                consent,
                to_state=Consent.State.RECONSENT_REQUIRED,
                event_type=ConsentEvent.Type.RECONSENT_REQUIRED,
                actor=actor,
                reason=reason or "purpose changed",
            )
            specs.append(
                EventSpec(
                    "consent.reconsent_required",
                    "consent",
                    str(consent.pk),
                    str(consent.subject_pseudonym),
                    {"purpose_version_id": consent.purpose_version_id},
                )
            )
        audit_record_many(organization_id=organization_id, actor=actor, events=specs)
        mails = [
            (c.subject.email, c.purpose, c.organization.name)
            for c in consents
            if c.subject.email and not c.subject.is_erased
        ]
        transaction.on_commit(lambda: _tell_subjects(mails))
    return len(consents)


def _tell_subjects(mails) -> None:
    link = public_url(reverse("consent:me"))
    for address, purpose, org_name in mails:
        # The person's language is unknown here; both are sent, Chinese first (primary market).
        bodies = []
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                bodies.append(
                    _(
                        "%(org)s has changed how it uses face recognition for “%(purpose)s”. "
                        "Your consent no longer applies, and your face will not be used for "
                        "this purpose until you consent again. You may also choose the "
                        "alternative. Review it here: %(link)s"
                    )
                    % {"org": org_name, "purpose": purpose.local_name, "link": link}
                )
        with translation.override("en"):
            subject_line = _("Your consent needs renewing")
        send_mail(subject_line, "\n\n".join(bodies), None, [address], fail_silently=True)


def consents_expire_due(*, now=None) -> int:
    """Expire active consents past their term; return how many."""
    now = now or timezone.now()
    actor = Actor.system("consent expiry job")
    count = 0
    with transaction.atomic():
        due = Consent.objects.select_for_update(skip_locked=True).filter(
            state=Consent.State.ACTIVE, expires_at__isnull=False, expires_at__lte=now
        )
        for consent in due:
            transition(
                consent,
                to_state=Consent.State.EXPIRED,
                event_type=ConsentEvent.Type.EXPIRED,
                actor=actor,
                reason="term ended",
            )
            audit_transition(consent, actor, "consent.expired", "term ended")
            count += 1
    return count
