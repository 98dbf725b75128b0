"""The rules a deployment must meet, each checked separately so all unmet ones are reported.

``deployment_checks`` returns every rule with met/unmet (the compliance view); activation raises
RuleViolation with the unmet ones (``deployment_unmet``). Each message says how to meet the rule.
"""

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.api_fixes import (
    api_fix,
    assessment_create_fix,
    assessment_reassess_fix,
    attach_purpose_fix,
    deployment_edit_fix,
    purpose_edit_fix,
)
from governance.jurisdiction import is_bipa, retention_policy_path
from governance.models import Assessment, Deployment, DeploymentPurpose, Notice, Purpose
from tenants.errors import RuleViolation


@dataclass(frozen=True)
class RuleCheck:
    rule: str
    met: bool
    message: str
    fix_url: str = ""
    applicable: bool = True
    # The API call that meets the rule (governance.api_fixes): clients never see the panel.
    fix: dict | None = None

    def as_detail(self) -> dict:
        return {
            "rule": self.rule,
            "message": self.message,
            "fix_url": self.fix_url,
            "fix": self.fix,
        }

    def as_dict(self) -> dict:
        return asdict(self)


def fix_url(name: str, organization, **kwargs) -> str:
    """Return the panel page that fixes a rule, or "" when the panel is not mounted."""
    try:
        return reverse(f"panel:{name}", kwargs={"org_slug": organization.slug, **kwargs})
    except NoReverseMatch:
        return ""


def purpose_version_problems(version) -> list[dict]:
    """Return the rule problems of a purpose version's content (R3, R14, R20), each a detail."""
    problems = []
    alternatives = [a for a in (version.alternatives or []) if str(a).strip()]
    if not alternatives and not version.alternative_exemption_citation.strip():
        problems.append(
            {
                "rule": "R3",
                "field": "alternatives",
                "message": _(
                    "Declare at least one non-biometric alternative (card, PIN, ID check, staff "
                    "check), or cite the State rule that exempts this purpose."
                ),
            }
        )
    if version.fr_necessary_for_service and not version.fr_necessity_justification.strip():
        problems.append(
            {
                "rule": "R14",
                "field": "fr_necessity_justification",
                "message": _(
                    "Explain why the service cannot be provided without face recognition, or "
                    "declare that it is not necessary so people who decline are still served."
                ),
            }
        )
    if not version.retention_days or version.retention_days < 1:
        problems.append(
            {
                "rule": "R20",
                "field": "retention_days",
                "message": _("Set a retention period of at least one day."),
            }
        )
    return problems


def _outside_measures(deployment: Deployment, rule: str) -> RuleCheck:
    """A rule of the CAC Measures alone, on a deployment they do not govern (R1)."""
    if deployment.processing_kind == Deployment.ProcessingKind.RESEARCH:
        reason = _(
            "Not applicable: the CAC Measures do not cover research, development or training."
        )
    else:
        reason = _("Not applicable: the CAC Measures apply to processing inside the PRC.")
    return RuleCheck(rule, True, reason, applicable=False)


def signage_reattest_days() -> int:
    return int(getattr(settings, "GOVERNANCE_SIGNAGE_REATTEST_DAYS", 365))


def signage_is_stale(deployment: Deployment, today: date | None = None) -> bool:
    """Return True when the signage photo is older than the re-attestation period (R6)."""
    if deployment.signage_date is None:
        return False
    today = today or timezone.localdate()
    return deployment.signage_date < today - timedelta(days=signage_reattest_days())


def _place_checks(deployment: Deployment) -> list[RuleCheck]:
    org = deployment.organization
    edit = fix_url("gov_deployment_edit", org, pk=deployment.pk)
    # R7 binds every deployment, research included (R1 notwithstanding): filming people in
    # toilets or hotel rooms stays unlawful under PIPL Art. 10, and no setting here permits it.
    checks = [
        RuleCheck(
            "R7",
            not deployment.is_banned_place,
            _(
                "Face recognition is forbidden in hotel guest rooms, public bathhouses, public "
                "changing rooms and public toilets. No override exists: retire this deployment."
            )
            if deployment.is_banned_place
            else _("The place is not a private space of a public place."),
            edit if deployment.is_banned_place else "",
            fix=api_fix("deployments_retire_create", "POST", "deployment-retire", deployment.pk)
            if deployment.is_banned_place
            else None,
        )
    ]
    public = deployment.is_public_place
    missing = []
    fix = None
    if public:
        if not deployment.public_security_justification.strip():
            missing.append(_("a public-security justification"))
            fix = deployment_edit_fix(deployment, "public_security_justification")
        if not deployment.capture_area.strip():
            missing.append(_("a description of the capture area"))
            fix = fix or deployment_edit_fix(deployment, "capture_area")
        signage = (deployment.signage_photo, deployment.signage_location, deployment.signage_date)
        signage_fix = api_fix(
            "deployments_signage_create", "POST", "deployment-signage", deployment.pk, field="photo"
        )
        if not all(signage):
            missing.append(_("signage evidence (a photo with its location and date)"))
            fix = fix or signage_fix
        elif signage_is_stale(deployment):
            missing.append(
                _("new signage evidence: the last photo, of %(date)s, is older than %(days)s days")
                % {"date": deployment.signage_date.isoformat(), "days": signage_reattest_days()}
            )
            # Signage evidence is uploaded on the detail page, not the edit form.
            edit = fix_url("gov_deployment_detail", org, pk=deployment.pk) + "#signage"
            fix = fix or signage_fix
    checks.append(
        RuleCheck(
            "R6",
            not missing,
            _("A public place needs %(items)s.") % {"items": ", ".join(missing)}
            if missing
            else _("Public-place requirements are met.")
            if public
            else _("Not a public place."),
            edit if missing else "",
            applicable=public,
            fix=fix,
        )
    )
    return checks


def _purpose_checks(deployment: Deployment, links: list[DeploymentPurpose]) -> list[RuleCheck]:
    org = deployment.organization
    checks = [
        RuleCheck(
            "R2",
            bool(links),
            _("Attach at least one declared purpose with a necessity justification.")
            if not links
            else _("Purposes are declared."),
            _attach_purpose_url(deployment) if not links else "",
            fix=None if links else attach_purpose_fix(deployment),
        )
    ]
    r8_unmet = [
        link.purpose.name
        for link in links
        if deployment.is_public_place
        and link.purpose.kind != Purpose.Kind.PUBLIC_SECURITY
        and not link.requires_separate_consent
    ]
    checks.append(
        RuleCheck(
            "R8",
            not r8_unmet,
            _(
                "In a public place, purposes other than public security (%(names)s) need each "
                "person's separate consent: detach and attach them again to record it."
            )
            % {"names": ", ".join(r8_unmet)}
            if r8_unmet
            else _("Purposes are limited to public security or need separate consent."),
            fix_url("gov_deployment_detail", org, pk=deployment.pk) if r8_unmet else "",
            applicable=deployment.is_public_place,
            fix=attach_purpose_fix(deployment) if r8_unmet else None,
        )
    )
    content: dict[str, list[str]] = {"R3": [], "R14": [], "R20": []}
    # The first purpose each rule names: its Fix link opens that purpose's edit form.
    first: dict[str, Purpose] = {}
    unnoticed = []
    for link in links:
        version = link.purpose.current_version
        if version is None:
            continue
        for problem in purpose_version_problems(version):
            content[problem["rule"]].append(link.purpose.name)
            first.setdefault(problem["rule"], link.purpose)
        if not Notice.objects.published().filter(purpose_version=version).exists():
            unnoticed.append(link.purpose)
    texts = {
        "R3": _("Declare a non-biometric alternative (or cite the exempting State rule) for: %s."),
        "R14": _("Justify why face recognition is necessary for the service for: %s."),
        "R20": _("Set a retention period for: %s."),
    }
    for rule, names in content.items():
        # R3 rests on the Measures alone (FRM Art. 10); R14 and R20 on PIPL too.
        if rule == "R3" and not deployment.measures_apply:
            checks.append(_outside_measures(deployment, rule))
            continue
        checks.append(
            RuleCheck(
                rule,
                not names,
                texts[rule] % ", ".join(names) if names else _("Met by every attached purpose."),
                fix_url("gov_purpose_edit", org, pk=first[rule].pk) if names else "",
                fix=purpose_edit_fix(first[rule], rule) if names else None,
            )
        )
    checks.append(
        RuleCheck(
            "R9",
            not unnoticed,
            _("Publish a notice for the current version of: %s.")
            % ", ".join(p.name for p in unnoticed)
            if unnoticed
            else _("Every purpose has a published notice."),
            notice_fix_url(unnoticed[0].current_version) if unnoticed else "",
            fix=api_fix("notices_create", "POST", "notice-list", field="purpose_version")
            if unnoticed
            else None,
        )
    )
    return checks


def _attach_purpose_url(deployment: Deployment) -> str:
    """Return where R2 is fixed: the deployment's attach form when the organization has a
    purpose to attach, else the new-purpose form, which attaches what it declares."""
    org = deployment.organization
    if Purpose.objects.for_org(org).exists():
        return fix_url("gov_deployment_detail", org, pk=deployment.pk) + "#attach-purpose"
    link = fix_url("gov_purpose_create", org)
    return f"{link}?deployment={deployment.pk}" if link else ""


def notice_languages_published(version) -> set[str]:
    """Return the languages in which a notice is published for the purpose version."""
    rows = Notice.objects.published().filter(purpose_version=version)
    return set(rows.values_list("language", flat=True))


def notice_fix_url(version) -> str:
    """Return the new-notice form for a purpose version, pre-filled, in the first language
    that has no published notice for it (R9)."""
    org = version.purpose.organization
    link = fix_url("gov_notice_create", org)
    if not link:
        return ""
    published = notice_languages_published(version)
    language = next((lang for lang in Notice.Language.values if lang not in published), "")
    return f"{link}?purpose_version={version.pk}&language={language}"


def _storage_check(deployment: Deployment) -> RuleCheck:
    if not deployment.measures_apply:
        # FRM Art. 8 alone; enrollment still asks each person's separate consent to central
        # storage, which costs nothing and is what PIPL Art. 29 wants for sensitive data anyway.
        return _outside_measures(deployment, "R19")
    central = deployment.storage_mode == Deployment.StorageMode.CENTRAL
    unmet = central and not deployment.central_storage_reason.strip()
    return RuleCheck(
        "R19",
        not unmet,
        _(
            "Central storage needs each person's separate consent and a stated reason: explain "
            "why templates cannot stay on the device, or store them on the device."
        )
        if unmet
        else _("Templates stay on the device: the portal refuses to store them centrally here.")
        if not central
        else _("Central storage is justified; separate consent is collected per person."),
        fix_url("gov_deployment_edit", deployment.organization, pk=deployment.pk) if unmet else "",
        applicable=central,
        fix=deployment_edit_fix(deployment, "central_storage_reason") if unmet else None,
    )


def _jurisdiction_checks(deployment: Deployment) -> list[RuleCheck]:
    """R17, R18, R23 and R50 for the deployment: met where its law applies, else not applicable.

    What makes each met is enforced elsewhere and cannot be switched off per deployment: the
    consent app accepts only the kind the deployment's jurisdiction asks for (and the usable
    rule ignores any other kind there), recognition destroys on BIPA's schedule, and the
    retention policy page is generated from the purposes, so it exists before any collection.
    """
    eu = deployment.jurisdiction == Deployment.Jurisdiction.EU
    il = is_bipa(deployment)
    not_eu = _("Not applicable: the deployment is not under the GDPR.")
    not_il = _("Not applicable: the deployment is not in Illinois (BIPA).")
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
            % {"url": retention_policy_path(deployment.organization)}
            if il
            else not_il,
            applicable=il,
        ),
        # R50: the request deadlines of the site's law (dsr sets each request's from its sites).
        RuleCheck(
            "R50",
            True,
            _(
                "GDPR: requests from people of this site are answered within %(months)s "
                "month(s), extendable by %(more)s with reasons given in the first."
            )
            % {"months": settings.DSR_EU_MONTHS, "more": settings.DSR_EU_EXTENSION_MONTHS}
            if eu
            else _(
                "Requests from people of this site are answered in the organization's days "
                "(PIPL: timely; BIPA sets no deadline), or sooner where another site's law asks."
            ),
        ),
    ]


def _assessment_checks(deployment: Deployment, links: list[DeploymentPurpose]) -> list[RuleCheck]:
    org = deployment.organization
    latest = (
        Assessment.objects.filter(deployment=deployment)
        .exclude(status=Assessment.Status.DRAFT)
        .order_by("-signed_off_at", "-pk")
        .first()
    )
    create = fix_url("gov_assessment_create", org) + f"?deployment={deployment.pk}"
    if latest is None:
        return [
            RuleCheck(
                "R27",
                False,
                _("Write an impact assessment for this deployment and have a DPO sign it off."),
                create,
                fix=assessment_create_fix(),
            )
        ]
    if latest.status == Assessment.Status.STALE:
        return [
            RuleCheck(
                "R29",
                False,
                _("The impact assessment is stale (%(reason)s): reassess and sign off again.")
                % {"reason": latest.stale_reason},
                fix_url("gov_assessment_detail", org, pk=latest.pk),
                fix=assessment_reassess_fix(latest),
            )
        ]
    covered = set(latest.purpose_versions.values_list("pk", flat=True))
    uncovered = [
        link.purpose.name
        for link in links
        if link.purpose.current_version_id and link.purpose.current_version_id not in covered
    ]
    if uncovered:
        return [
            RuleCheck(
                "R27",
                False,
                _("The approved assessment does not cover the current version of: %s. Reassess.")
                % ", ".join(uncovered),
                fix_url("gov_assessment_detail", org, pk=latest.pk),
                fix=assessment_reassess_fix(latest),
            )
        ]
    return [
        RuleCheck("R27", True, _("An approved impact assessment covers every purpose.")),
        RuleCheck("R29", True, _("The impact assessment is current.")),
    ]


def deployment_checks(deployment: Deployment) -> list[RuleCheck]:
    """Return every activation rule for the deployment, met or not."""
    links = list(
        DeploymentPurpose.objects.filter(deployment=deployment).select_related(
            "purpose", "purpose__current_version"
        )
    )
    return [
        *_place_checks(deployment),
        *_purpose_checks(deployment, links),
        _storage_check(deployment),
        *_jurisdiction_checks(deployment),
        *_assessment_checks(deployment, links),
    ]


def deployment_unmet(deployment: Deployment) -> list[dict]:
    """Return the unmet rules as RuleViolation details: [{"rule", "message", "fix_url"}]."""
    return [check.as_detail() for check in deployment_checks(deployment) if not check.met]


class ProcessingSuspended(RuleViolation):
    """New enrollments and recognition jobs are suspended on a deployment (R2, R27, R29)."""

    code = "processing_suspended"


class CentralStorageRefused(RuleViolation):
    """A central template was asked for on a deployment that keeps them on the device (R19)."""

    code = "storage_on_device"


def deployment_processing_unmet(deployment: Deployment) -> list[dict]:
    """Return the rules that suspend new enrollments and jobs on the deployment, as details.

    R2: at least one purpose is still attached (detaching the last one from an active
    deployment leaves nothing processing may serve). R27 and R29: the latest signed-off
    assessment covers every attached purpose's current version and is not stale; the same
    check as activation's, so the rule is written once. Empty when processing may go on.
    Read fresh on every call: a worker calls it again before it runs what was queued earlier.
    """
    links = list(
        DeploymentPurpose.objects.filter(deployment=deployment).select_related(
            "purpose", "purpose__current_version"
        )
    )
    org = deployment.organization
    unmet = []
    if not links:
        unmet.append(
            {
                "rule": "R2",
                "message": _(
                    "No purpose is declared for this deployment any more. Suspend it, attach "
                    "a purpose, have its impact assessment signed off and activate it again; "
                    "or retire it."
                ),
                "fix_url": fix_url("gov_deployment_detail", org, pk=deployment.pk),
                "fix": attach_purpose_fix(deployment),
            }
        )
    unmet += [check.as_detail() for check in _assessment_checks(deployment, links) if not check.met]
    return unmet


def processing_suspended_message(unmet: list[dict]) -> str:
    """Return the sentence a refused enrollment or job starts with, naming the rules."""
    named = sorted({detail["rule"] for detail in unmet})
    rules = ", ".join(named)
    if "R29" in named:
        return _(
            "New enrollments and recognition jobs are suspended on this deployment (%(rules)s): "
            "its impact assessment is stale. Reassess it and have a DPO sign off the new "
            "assessment."
        ) % {"rules": rules}
    return _(
        "New enrollments and recognition jobs are suspended on this deployment (%(rules)s) "
        "until every rule listed is met."
    ) % {"rules": rules}


def deployment_processing_check(*, deployment: Deployment) -> None:
    """Raise ProcessingSuspended (422, each unmet rule with its fix) unless new enrollments
    and jobs may start on the deployment now (R2, R27, R29)."""
    unmet = deployment_processing_unmet(deployment)
    if unmet:
        raise ProcessingSuspended(processing_suspended_message(unmet), details=unmet)


def deployment_central_storage_check(*, deployment: Deployment) -> None:
    """Raise CentralStorageRefused unless the deployment stores templates centrally (R19).

    FRM Art. 8: a deployment declared "on the device" keeps faces on the device, so the portal
    never holds a template for it, whatever a consent allows.
    """
    if deployment.storage_mode == Deployment.StorageMode.CENTRAL:
        return
    raise CentralStorageRefused(
        _("This deployment keeps face templates on the device (R19): none is stored centrally."),
        details=[
            {
                "rule": "R19",
                "message": _(
                    "Enroll on the device itself, or, if templates must be stored centrally, "
                    "suspend the deployment, set its storage mode to central with the reason, "
                    "reassess, and collect each person's separate consent to central storage."
                ),
                "fix_url": fix_url(
                    "gov_deployment_edit", deployment.organization, pk=deployment.pk
                ),
                "fix": deployment_edit_fix(deployment, "storage_mode"),
            }
        ],
    )
