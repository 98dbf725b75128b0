"""Every non-trivial read about subjects and consents. Recognition calls the first five.

"Active" always means: state active, face processing granted, and given for the purpose's
CURRENT version (R11: a superseded version's consent no longer counts, whatever its state).
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
    DataRequest,
    MinorDataRules,
    SigningKey,
    Subject,
)


def _active(*, subject, purpose, deployment=None):
    consents = Consent.objects.active().filter(
        subject=subject, purpose=purpose, purpose_version_id=purpose.current_version_id
    )
    if deployment is not None:
        # A consent scoped to another deployment does not cover this one.
        consents = consents.filter(Q(deployment__isnull=True) | Q(deployment=deployment))
    return consents


def consent_active_for(*, subject, purpose, deployment=None) -> bool:
    """Return True when ``subject`` holds an active consent for ``purpose`` (R12, R13)."""
    if purpose.current_version_id is None or subject.organization_id != purpose.organization_id:
        return False
    return _active(subject=subject, purpose=purpose, deployment=deployment).exists()


def consent_allows_central_storage(*, subject, purpose, deployment=None) -> bool:
    """Return True when the active consent also grants central storage and transmission (R19)."""
    if not consent_active_for(subject=subject, purpose=purpose, deployment=deployment):
        return False
    return (
        _active(subject=subject, purpose=purpose, deployment=deployment)
        .filter(central_storage=True)
        .exists()
    )


def consent_allows_raw_images(*, subject, purpose, deployment=None) -> bool:
    """Return True when raw images may be kept: granted separately and allowed (R21)."""
    if not consent_active_for(subject=subject, purpose=purpose, deployment=deployment):
        return False
    return (
        _active(subject=subject, purpose=purpose, deployment=deployment)
        .filter(raw_images=True, purpose_version__keep_raw_images_allowed=True)
        .exists()
    )


def active_subject_ids_for(*, organization, purpose, deployment=None) -> set[UUID]:
    """Return the pseudonyms of subjects with an active consent for ``purpose`` (galleries)."""
    if purpose.organization_id != organization.pk or purpose.current_version_id is None:
        return set()
    consents = (
        Consent.objects.for_org(organization)
        .active()
        .filter(purpose=purpose, purpose_version_id=purpose.current_version_id)
    )
    if deployment is not None:
        consents = consents.filter(Q(deployment__isnull=True) | Q(deployment=deployment))
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


def subjects_for_org(*, organization, search: str = ""):
    subjects = Subject.objects.for_org(organization)
    search = search.strip()
    if search:
        query = (
            Q(display_name__icontains=search)
            | Q(external_ref__iexact=search)
            | Q(email__iexact=search)
        )
        with contextlib.suppress(ValueError):
            query |= Q(pseudonym=UUID(search))
        subjects = subjects.filter(query)
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


def data_requests_for_subject(*, subject):
    return DataRequest.objects.filter(subject=subject).order_by("-created_at", "-pk")


def consent_figures(*, organization) -> dict:
    """Return the dashboard's consent figures: active consents, withdrawals in 30 days."""
    since = timezone.now() - timedelta(days=30)
    return {
        "active_consents": Consent.objects.for_org(organization).active().current().count(),
        "withdrawals_30d": ConsentEvent.objects.for_org(organization)
        .filter(type=ConsentEvent.Type.WITHDRAWN, at__gte=since)
        .count(),
    }
