"""What a deployment's jurisdiction asks of it (R17, R18, R23, R50), written once.

The deployment's jurisdiction decides, not the organization's profile: a Chinese organization's
site in Illinois is under BIPA, its site in Germany under the GDPR. The consent app reads the
consent form from here, recognition the BIPA destruction schedule, dsr the deadlines' law (through
consent.jurisdiction), and the deployment's checks (governance.gates) the R17, R18 and R23 states
the compliance view shows.
"""

import calendar
from datetime import datetime

from django.urls import reverse

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


def retention_policy_path(organization) -> str:
    """Return the public retention and destruction policy page of the organization (R23)."""
    return reverse("governance:retention_policy", kwargs={"org_slug": organization.slug})
