"""Which consent each deployment's jurisdiction asks for (R17, R18), and whose law a subject is
under (R50). Read by the grant, the usable-consent rule, the public form and the receipts.

Kinds are spelled as values here (not ``Consent.Kind``) because the querysets that the consent
model itself imports read them; tests check each is a ``Consent.Kind``.
"""

from django.utils.translation import gettext as _

from governance.jurisdiction import BIPA_INACTIVITY_YEARS, Jurisdiction, jurisdiction_default
from governance.models import Deployment, DeploymentPurpose

SEPARATE, WRITTEN, GUARDIAN = "separate", "written", "guardian"
GDPR_EXPLICIT, BIPA_WRITTEN_RELEASE = "gdpr_explicit", "bipa_written_release"

# R17 (GDPR Art. 9(2)(a)): explicit consent; R18 (BIPA §15(b)): a written release; PIPL Art. 29
# and FRM: separate (or written) consent. A guardian may consent in all of them (R15).
KINDS_BY_JURISDICTION = {
    Jurisdiction.CN: frozenset({SEPARATE, WRITTEN, GUARDIAN}),
    Jurisdiction.EU: frozenset({GDPR_EXPLICIT, GUARDIAN}),
    Jurisdiction.US_IL: frozenset({BIPA_WRITTEN_RELEASE, GUARDIAN}),
}
ALL_KINDS = frozenset({SEPARATE, WRITTEN, GUARDIAN, GDPR_EXPLICIT, BIPA_WRITTEN_RELEASE})

# The kind a person's own consent on the public form is recorded as, per jurisdiction.
FORM_KIND = {
    Jurisdiction.CN: SEPARATE,
    Jurisdiction.EU: GDPR_EXPLICIT,
    Jurisdiction.US_IL: BIPA_WRITTEN_RELEASE,
}

LAWFUL_BASIS = {
    Jurisdiction.CN: "PIPL Art. 13(1), Art. 29 (separate consent); CAC FRM Art. 6",
    Jurisdiction.EU: "GDPR Art. 9(2)(a) (explicit consent)",
    Jurisdiction.US_IL: "BIPA 740 ILCS 14/15(b) (written release)",
}


def kinds_accepted(jurisdiction: str) -> frozenset[str]:
    """Return the consent kinds valid under ``jurisdiction`` (every kind elsewhere)."""
    return KINDS_BY_JURISDICTION.get(jurisdiction, ALL_KINDS)


def form_kind(jurisdiction: str) -> str:
    """Return the kind the public consent form records under ``jurisdiction``."""
    return FORM_KIND.get(jurisdiction, SEPARATE)


def grant_jurisdiction(*, organization, deployment: Deployment | None) -> str:
    """Return the law a grant is judged by: the deployment's, else the organization's profile.

    A consent scoped to no deployment still counts at a site only when its kind is accepted
    there (``consent.querysets.usable_q``), so an Illinois site never runs on a plain consent.
    """
    if deployment is not None:
        return deployment.jurisdiction
    return jurisdiction_default(organization=organization)


def deployment_jurisdiction(deployment) -> str:
    """Return the jurisdiction of a deployment given as a row or a primary key."""
    if isinstance(deployment, Deployment):
        return deployment.jurisdiction
    found = Deployment.objects.filter(pk=deployment).values_list("jurisdiction", flat=True)
    return found.first() or Jurisdiction.OTHER


def deployment_transfers_abroad(deployment) -> bool:
    """Return True when a deployment (row or primary key) sends PRC faces abroad (R26)."""
    if not isinstance(deployment, Deployment):
        deployment = Deployment.objects.filter(pk=deployment).first()
    return deployment is not None and deployment.transfers_abroad


def bipa_release_text(*, organization, purpose_version, deployment: Deployment | None) -> str:
    """Return the written release a person signs in Illinois (R18, BIPA §15(b)).

    It names the specific purpose and the length of term, as the statute asks; the receipt
    records it with the signature, so what was signed can be shown later word for word.
    """
    return _(
        "I, the undersigned, have been informed in writing that %(org)s collects and stores my "
        "biometric identifier (a template of my face)%(site)s for this specific purpose: "
        "%(purpose)s. It is kept for at most %(days)s days, and is destroyed earlier when that "
        "purpose is satisfied or %(years)s years after my last interaction with %(org)s, "
        "whichever comes first. I release %(org)s to collect, store and use it for that purpose "
        "and term."
    ) % {
        "org": organization.name,
        "site": (_(" at %(site)s") % {"site": deployment.local_name}) if deployment else "",
        "purpose": purpose_version.description,
        "days": purpose_version.retention_days,
        "years": BIPA_INACTIVITY_YEARS,
    }


def gdpr_explicit_text(*, organization, purpose_version) -> str:
    """Return the explicit-consent statement an EU person affirms (R17, GDPR Art. 9(2)(a))."""
    return _(
        "I explicitly consent to %(org)s processing my biometric data (my face) to identify me, "
        "for this purpose only: %(purpose)s. I can withdraw this consent at any time."
    ) % {"org": organization.name, "purpose": purpose_version.description}


def jurisdictions_of(*, organization, consents) -> set[str]:
    """Return the jurisdictions whose law covers these consents (R50).

    A consent scoped to a deployment is under that deployment's law; an unscoped one under the
    law of every site its purpose is used at, and the organization's profile when none is.
    ``consents`` yields (deployment_id, purpose_id) pairs.
    """
    scoped, unscoped = set(), set()
    for deployment_id, purpose_id in consents:
        (scoped if deployment_id else unscoped).add(deployment_id or purpose_id)
    found = set(
        Deployment.objects.filter(pk__in=scoped).values_list("jurisdiction", flat=True)
    ) | set(
        DeploymentPurpose.objects.filter(purpose_id__in=unscoped)
        .exclude(deployment__status=Deployment.Status.RETIRED)
        .values_list("deployment__jurisdiction", flat=True)
    )
    if unscoped or not found:
        found.add(jurisdiction_default(organization=organization))
    return found
