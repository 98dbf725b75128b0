"""The one scoping path for consent rows (``for_org``), and the one "usable consent" rule."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from consent.jurisdiction import (
    deployment_jurisdiction,
    deployment_transfers_abroad,
    kinds_accepted,
)
from consent.states import IN_FORCE_STATES, STORING_STATES, USABLE_STATES, ConsentState
from tenants.querysets import OrgOwnedQuerySet

GUARDIAN_KIND = "guardian"


def usable_q(
    *,
    prefix: str = "",
    deployment=None,
    storage: bool = False,
    raw_images: bool = False,
    cross_border: bool | None = None,
    at=None,
) -> Q:
    """Return the rule "this consent lets a face be used now" as one Q (R11-R15, R19, R21, R22).

    The consent must be active (not withdrawn, expired, restricted or awaiting re-consent),
    grant face processing, be given for its purpose's CURRENT version (R11), not be past its
    term, and, for a child under 14, be a guardian's consent naming the guardian (R15). With
    ``deployment``, a consent scoped to another deployment does not count; ``storage`` also asks
    for central storage (R19), ``raw_images`` for the separate raw-image item where the purpose
    allows keeping them (R21). At a deployment that stores or processes PRC faces abroad, the
    separate consent to that transfer is part of the rule (R26, PIPL Art. 39); ``cross_border``
    True asks for it anywhere, False leaves it out (to tell which item is missing). ``prefix``
    ("consent__", ...) applies it across a relation, for bulk use in other apps' queries.
    """
    p = prefix
    now = at or timezone.now()
    rule = (
        Q(**{f"{p}state__in": USABLE_STATES})
        & Q(**{f"{p}face_processing": True})
        & Q(**{f"{p}purpose__current_version": F(f"{p}purpose_version")})
        & (Q(**{f"{p}expires_at__isnull": True}) | Q(**{f"{p}expires_at__gt": now}))
        & (
            Q(**{f"{p}is_minor_under_14": False})
            | (Q(**{f"{p}kind": GUARDIAN_KIND}) & ~Q(**{f"{p}guardian_name": ""}))
        )
    )
    if deployment is not None:
        # R17, R18: at a site only a consent of the kind its jurisdiction asks for counts (an
        # unscoped plain consent never covers an Illinois or EU site), and a site whose
        # jurisdiction changed does not run on consents of the old kind.
        rule &= (Q(**{f"{p}deployment__isnull": True}) | Q(**{f"{p}deployment": deployment})) & Q(
            **{f"{p}kind__in": sorted(kinds_accepted(deployment_jurisdiction(deployment)))}
        )
    if cross_border is None:
        cross_border = deployment is not None and deployment_transfers_abroad(deployment)
    if cross_border:
        rule &= Q(**{f"{p}cross_border": True})
    if storage:
        rule &= Q(**{f"{p}central_storage": True})
    if raw_images:
        rule &= Q(**{f"{p}raw_images": True}) & Q(
            **{f"{p}purpose_version__keep_raw_images_allowed": True}
        )
    return rule


def storing_q(*, prefix: str = "") -> Q:
    """Return the rule "this consent still needs the subject's stored template" (R19, R22).

    Wider than usable: a restricted consent keeps encrypted storage during the hold (R22), and
    one awaiting re-consent keeps it until the person answers (R11).
    """
    p = prefix
    return (
        Q(**{f"{p}state__in": STORING_STATES})
        & Q(**{f"{p}face_processing": True})
        & Q(**{f"{p}central_storage": True})
    )


class SubjectQuerySet(OrgOwnedQuerySet):
    def not_erased(self):
        return self.filter(erased_at__isnull=True)


class MinorDataRulesQuerySet(OrgOwnedQuerySet):
    pass


class ConsentQuerySet(OrgOwnedQuerySet):
    def usable(
        self, *, deployment=None, storage=False, raw_images=False, cross_border=None, at=None
    ):
        """Return the consents that let a face be used now: the whole rule (``usable_q``)."""
        return self.filter(
            usable_q(
                deployment=deployment,
                storage=storage,
                raw_images=raw_images,
                cross_border=cross_border,
                at=at,
            )
        )

    def storing(self):
        """Return the consents that still need stored face data (``storing_q``)."""
        return self.filter(storing_q())

    def in_force(self):
        """Return the consents not yet ended: active, or on hold (what erasure withdraws)."""
        return self.filter(state__in=IN_FORCE_STATES)

    def restrictable(self):
        return self.filter(state=ConsentState.ACTIVE)

    def restricted(self):
        return self.filter(state=ConsentState.RESTRICTED)


class ConsentEventQuerySet(OrgOwnedQuerySet):
    pass


class ConsentReceiptQuerySet(OrgOwnedQuerySet):
    pass


class SigningKeyQuerySet(OrgOwnedQuerySet):
    def current(self):
        return self.filter(retired_at__isnull=True)


class OneTimeCodeQuerySet(models.QuerySet):
    def usable(self, now):
        return self.filter(used_at__isnull=True, expires_at__gt=now)
