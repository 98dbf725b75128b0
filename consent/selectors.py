"""Every non-trivial read about subjects and consents. Recognition calls the first five.

"Active" always means consent's one rule, ``ConsentQuerySet.usable`` (consent.querysets.usable_q):
state active, face processing granted, given for the purpose's CURRENT version (R11), not past
its term, a guardian's for a child (R15), and the storage or raw-image item where asked.
"""

import contextlib
from datetime import timedelta
from uuid import UUID

from django.db.models import Q
from django.utils import timezone

from consent.models import (
    Consent,
    ConsentEvent,
    ConsentReceipt,
    MinorDataRules,
    SigningKey,
    Subject,
)
from consent.models.subjects import MINOR_AGE
from consent.services.history import topic_for
from outbox.selectors import event_latest_about


def _usable(
    *, subject, purpose, deployment=None, storage=False, raw_images=False, cross_border=None
):
    return Consent.objects.filter(subject=subject, purpose=purpose).usable(
        deployment=deployment, storage=storage, raw_images=raw_images, cross_border=cross_border
    )


def consent_active_for(*, subject, purpose, deployment=None, cross_border=None) -> bool:
    """Return True when ``subject`` holds a usable consent for ``purpose`` (R12, R13).

    ``cross_border`` False leaves the transfer item out (R26): enrollment asks that way first,
    to tell the person's missing consent from their missing consent to the transfer.
    """
    if purpose.current_version_id is None or subject.organization_id != purpose.organization_id:
        return False
    return _usable(
        subject=subject, purpose=purpose, deployment=deployment, cross_border=cross_border
    ).exists()


def consent_allows_central_storage(*, subject, purpose, deployment=None) -> bool:
    """Return True when a usable consent also grants central storage and transmission (R19)."""
    if purpose.current_version_id is None or subject.organization_id != purpose.organization_id:
        return False
    return _usable(subject=subject, purpose=purpose, deployment=deployment, storage=True).exists()


def consent_allows_raw_images(*, subject, purpose, deployment=None) -> bool:
    """Return True when raw images may be kept: granted separately and allowed (R21)."""
    if purpose.current_version_id is None or subject.organization_id != purpose.organization_id:
        return False
    return _usable(
        subject=subject, purpose=purpose, deployment=deployment, raw_images=True
    ).exists()


def consent_recorders_for(*, subject, purpose, deployment=None) -> set[int]:
    """Return the ids of the members who recorded a usable consent of ``subject`` for
    ``purpose`` (at ``deployment``); the person's own consents (self-service) name nobody."""
    consents = _usable(subject=subject, purpose=purpose, deployment=deployment)
    return set(consents.filter(collected_by__isnull=False).values_list("collected_by", flat=True))


def active_subject_ids_for(*, organization, purpose, deployment=None) -> set[UUID]:
    """Return the pseudonyms of subjects with a usable consent for ``purpose`` (galleries)."""
    if purpose.organization_id != organization.pk or purpose.current_version_id is None:
        return set()
    consents = (
        Consent.objects.for_org(organization).filter(purpose=purpose).usable(deployment=deployment)
    )
    return set(consents.values_list("subject_pseudonym", flat=True))


def subject_for_org(*, organization, pseudonym) -> Subject | None:
    """Return the organization's subject with this pseudonym, or None (never another's)."""
    try:
        pseudonym = UUID(str(pseudonym))
    except ValueError:
        return None
    return Subject.objects.for_org(organization).filter(pseudonym=pseudonym).first()


def pseudonyms_unknown(*, organization, pseudonyms) -> list[str]:
    """Return those of ``pseudonyms`` that are not subjects of ``organization`` (another
    organization's, non-existent or not a pseudonym at all), in their order."""
    parsed = {}
    for value in pseudonyms:
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            parsed[value] = UUID(str(value))
    known = set(
        Subject.objects.for_org(organization)
        .filter(pseudonym__in=list(parsed.values()))
        .values_list("pseudonym", flat=True)
    )
    return [value for value in pseudonyms if parsed.get(value) not in known]


def subjects_for_org(*, organization, search: str = "", personal_data: bool = True):
    """Return the organization's subjects matching ``search``.

    Without ``personal_data`` (a reader who sees pseudonyms only) the search looks at the
    reference and the pseudonym alone and the order is by creation, so neither the results nor
    their order tell anything about names or e-mail addresses.
    """
    subjects = Subject.objects.for_org(organization)
    search = search.strip()
    if search:
        query = Q(external_ref__iexact=search)
        if personal_data:
            query |= Q(display_name__icontains=search) | Q(email__iexact=search)
        with contextlib.suppress(ValueError):
            query |= Q(pseudonym=UUID(search))
        subjects = subjects.filter(query)
    if not personal_data:
        return subjects.order_by("created_at", "pk")
    return subjects.order_by("display_name", "pk")


def consents_for_org(*, organization):
    return (
        Consent.objects.for_org(organization)
        .select_related("subject", "purpose", "purpose_version", "deployment", "notice")
        .prefetch_related("recipients")
        .order_by("-given_at", "-pk")
    )


def consents_for_subject(*, subject):
    """Return all of a subject's consents, newest first, whatever their state."""
    return (
        Consent.objects.filter(subject=subject)
        .select_related("purpose", "purpose_version", "deployment", "organization")
        .prefetch_related("recipients", "receipts__event")
        .order_by("-given_at", "-pk")
    )


def consent_events(*, consent):
    return ConsentEvent.objects.filter(consent=consent).order_by("at", "pk")


def receipts_for_subject(*, subject):
    return ConsentReceipt.objects.filter(consent__subject=subject).select_related(
        "consent", "event"
    )


def published_signing_keys():
    """Return every key ever used to sign (retired ones too: their receipts still verify)."""
    return SigningKey.objects.select_related("organization").order_by("organization_id", "pk")


def minor_rules_current(*, organization) -> MinorDataRules | None:
    return MinorDataRules.objects.for_org(organization).first()


def consent_figures(*, organization) -> dict:
    """Return the dashboard's consent figures: active consents, withdrawals in 30 days."""
    since = timezone.now() - timedelta(days=30)
    return {
        "active_consents": Consent.objects.for_org(organization).usable().count(),
        "withdrawals_30d": ConsentEvent.objects.for_org(organization)
        .filter(type=ConsentEvent.Type.WITHDRAWN, at__gte=since)
        .count(),
    }


def consent_purge_status(*, consent) -> dict | None:
    """Return where the template purge after the consent's withdrawal stands, or None.

    ``{"state": "pending" | "done", "done_at": ..., "attempts": n}``: the withdrawal answered
    at its commit; recognition's reaction (retried until done) purges after it (R13, R22).
    """
    if consent.state != Consent.State.WITHDRAWN:
        return None
    event = event_latest_about(
        topic=topic_for(ConsentEvent.Type.WITHDRAWN),
        organization_id=consent.organization_id,
        key="consent_id",
        value=consent.pk,
    )
    if event is None:
        return None
    return {
        "state": "done" if event.done_at else "pending",
        "done_at": event.done_at,
        "attempts": event.attempts,
    }


def minor_pseudonyms(*, organization_id: int, on) -> set[str]:
    """Return the pseudonyms of the organization's subjects under 14 on ``on`` (R15).

    The same rule as ``Subject.is_minor_on``, as one query: the date of birth where it is known,
    else the recorded age bracket.
    """
    try:
        cutoff = on.replace(year=on.year - MINOR_AGE)
    except ValueError:  # 29 February: whoever was born on 28 February turns 14 today
        cutoff = on.replace(year=on.year - MINOR_AGE, day=28)
    rows = Subject.objects.filter(
        Q(organization_id=organization_id)
        & (
            Q(date_of_birth__gt=cutoff)
            | (Q(date_of_birth__isnull=True) & Q(age_bracket=Subject.AgeBracket.UNDER_14))
        )
    ).values_list("pseudonym", flat=True)
    return {str(p) for p in rows}
