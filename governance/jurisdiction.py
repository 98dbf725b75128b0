"""What a deployment's jurisdiction asks of it (R17, R18, R23, R50), written once.

The deployment's jurisdiction decides, not the organization's profile: a Chinese organization's
site in Illinois is under BIPA, its site in Germany under the GDPR. The consent app reads the
consent form from here, recognition the BIPA destruction schedule, dsr the answer deadlines, and
the compliance view the rule states (``jurisdiction_checks``).
"""

import calendar
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from governance.gates import RuleCheck
from governance.models import Deployment

Jurisdiction = Deployment.Jurisdiction

# BIPA §15(a) (R23): destroy when the purpose is satisfied or within 3 years of the person's
# last interaction with the private entity, whichever comes first.
BIPA_INACTIVITY_YEARS = 3


def jurisdiction_default(*, organization) -> str:
    """Return the jurisdiction a new deployment of ``organization`` starts with: its profile."""
    value = getattr(organization, "jurisdiction", "") or Jurisdiction.CN
    return value if value in Jurisdiction.values else Jurisdiction.OTHER


def is_bipa(deployment: Deployment) -> bool:
    """Return True when the Illinois Biometric Information Privacy Act governs the site."""
    return deployment.jurisdiction == Jurisdiction.US_IL


def years_after(moment: datetime, years: int) -> datetime:
    """Return ``moment`` plus calendar years; 29 February lands on 28 February."""
    year = moment.year + years
    day = min(moment.day, calendar.monthrange(year, moment.month)[1])
    return moment.replace(year=year, day=day)


def bipa_destroy_by(
    *, last_interaction_at: datetime, purpose_end_at: datetime | None = None
) -> datetime:
    """Return when BIPA wants a template destroyed: the purpose's end or 3 years after the
    last interaction, whichever comes first (R23)."""
    inactivity = years_after(last_interaction_at, BIPA_INACTIVITY_YEARS)
    return min(inactivity, purpose_end_at) if purpose_end_at else inactivity


def deadline_rule(jurisdiction: str) -> dict:
    """Return how requests are answered under ``jurisdiction`` (R50), for people and the view.

    EU: GDPR Art. 12(3), one month, extendable by two with reasons given within the first.
    CN: PIPL Art. 45-46 say "timely"; the product answers in the organization's days (default
    30, GB/T 35273). US-IL: BIPA gives no right of access; the product answers such requests in
    the same organization days, so an Illinois person is never answered later than a Chinese one.
    """
    if jurisdiction == Jurisdiction.EU:
        return {
            "unit": "months",
            "response": settings.DSR_EU_MONTHS,
            "extension": settings.DSR_EU_EXTENSION_MONTHS,
            "basis": "GDPR Art. 12(3)",
        }
    return {
        "unit": "days",
        "response": None,
        "extension": None,
        "basis": {
            Jurisdiction.CN: "PIPL Art. 45-46 (timely); GB/T 35273-2020 §8.7",
            Jurisdiction.US_IL: _("BIPA sets none: the organization's days apply"),
        }.get(jurisdiction, _("the organization's days")),
    }


def jurisdiction_checks(deployment: Deployment) -> list[RuleCheck]:
    """Return R17, R18, R23 and R50 for the deployment, each met, or not applicable with why.

    What makes each met is enforced elsewhere and cannot be switched off per deployment: the
    consent app accepts only the jurisdiction's consent kind (and the usable-consent rule
    ignores any other kind here), recognition destroys on BIPA's schedule, dsr sets deadlines
    from the subject's deployments. The compliance view shows these states.
    """
    org = deployment.organization
    eu, il = deployment.jurisdiction == Jurisdiction.EU, is_bipa(deployment)
    not_eu = _("Not applicable: the deployment is not under the GDPR.")
    not_il = _("Not applicable: the deployment is not in Illinois (BIPA).")
    rule = deadline_rule(deployment.jurisdiction)
    return [
        RuleCheck(
            "R17",
            True,
            _(
                "Explicit consent (GDPR Art. 9(2)(a)) is the only consent accepted here; any "
                "other kind given elsewhere does not count at this site."
            )
            if eu
            else not_eu,
            applicable=eu,
        ),
        RuleCheck(
            "R18",
            True,
            _(
                "Collection needs a written release naming the purpose and its retention term, "
                "signed by the person or their representative."
            )
            if il
            else not_il,
            applicable=il,
        ),
        RuleCheck(
            "R23",
            True,
            _(
                "The retention and destruction policy is public at %(url)s; templates are "
                "destroyed when the purpose ends or 3 years after the last interaction."
            )
            % {"url": retention_policy_path(org)}
            if il
            else not_il,
            applicable=il,
        ),
        RuleCheck(
            "R50",
            True,
            _("Requests are answered within one month, extendable by two (%(basis)s).")
            % {"basis": rule["basis"]}
            if rule["unit"] == "months"
            else _("Requests are answered in the organization's days (%(basis)s).")
            % {"basis": rule["basis"]},
        ),
    ]


def retention_policy_path(organization) -> str:
    """Return the public retention and destruction policy page of the organization (R23)."""
    return reverse("governance:retention_policy", kwargs={"org_slug": organization.slug})
