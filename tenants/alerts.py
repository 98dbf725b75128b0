"""Compliance alerts to an organization's DPOs and owners, in the languages they work in."""

from collections.abc import Callable

from django.core.mail import send_mail
from django.utils import translation

from tenants.models import Organization
from tenants.selectors import responsible_emails

# Between the language versions of one alert.
_SEPARATOR = "\n\n----------\n\n"


def alert_languages(organization: Organization) -> list[str]:
    """Return the languages an organization's alerts are written in, the main one first.

    A China-profile organization reads Chinese first; English follows for every organization,
    since group DPOs and auditors abroad read the same alerts.
    """
    if organization.jurisdiction == Organization.Jurisdiction.CN:
        return ["zh-hans", "en"]
    return ["en"]


def alert_send(*, organization: Organization, render: Callable[[], tuple[str, str]]) -> bool:
    """Mail one alert to the organization's DPOs and owners; return False when there are none.

    `render` returns (subject, body) and is called once per alert language, inside it.
    """
    addresses = responsible_emails(organization_id=organization.pk)
    if not addresses:
        return False
    subjects, bodies = [], []
    for language in alert_languages(organization):
        with translation.override(language):
            subject, body = render()
        subjects.append(subject)
        bodies.append(body)
    send_mail(" / ".join(subjects), _SEPARATOR.join(bodies), None, addresses, fail_silently=True)
    return True
