"""What is left before a deployment can be activated, in API terms (issue 18).

The rules are activation's own (governance.gates.deployment_checks, the list
``/deployments/{id}/checks/`` answers and ``deployment_activate`` refuses with); this module
only adds, for each unmet one, the API operations that fix it: the operationId of the schema,
the method, the path with the ids filled in, and the body fields to send. Where a fix has a
prerequisite the rule does not name (a notice draft missing a text R9 asks for, an assessment
draft missing a section R28 asks for), the prerequisite comes first, so following the fixes
in order leads to activation. A rule this module has no API fix for keeps its panel link.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from governance.gates import RuleCheck, deployment_checks, purpose_version_problems
from governance.models import Assessment, Deployment, DeploymentPurpose, Notice

ACTIVATABLE = (Deployment.Status.DRAFT, Deployment.Status.SUSPENDED)


@dataclass(frozen=True)
class Fix:
    """One API call: ``operation`` is the schema's operationId; ``fields`` the body to send."""

    operation: str
    method: str
    path: str
    fields: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class ChecklistItem:
    rule: str
    message: str
    fix_url: str
    fixes: list[Fix]


@dataclass(frozen=True)
class Checklist:
    deployment: Deployment
    items: list[ChecklistItem]
    activate: Fix

    @property
    def ready(self) -> bool:
        return not self.items and self.deployment.status in ACTIVATABLE


def _path(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def _deployment_edit(deployment, fields, note=""):
    return Fix(
        "deployments_partial_update",
        "PATCH",
        _path("deployment-detail", deployment.pk),
        fields,
        note,
    )


def _links(deployment) -> list[DeploymentPurpose]:
    return list(
        DeploymentPurpose.objects.filter(deployment=deployment).select_related(
            "purpose", "purpose__current_version"
        )
    )


def _place_fixes(deployment, rule: str) -> list[Fix]:
    if rule == "R7":
        return [
            Fix(
                "deployments_retire_create",
                "POST",
                _path("deployment-retire", deployment.pk),
                note=_("No override exists for this place: retire the deployment."),
            )
        ]
    fixes = []
    missing = [
        f for f in ("public_security_justification", "capture_area") if not getattr(deployment, f)
    ]
    if missing:
        fixes.append(_deployment_edit(deployment, missing))
    fixes.append(
        Fix(
            "deployments_signage_create",
            "POST",
            _path("deployment-signage", deployment.pk),
            ["photo", "location", "taken_on"],
            _("Signage evidence: a photo of the sign, where it hangs and when it was taken."),
        )
    )
    return fixes


def _purpose_fixes(deployment, rule: str, links) -> list[Fix]:
    if rule == "R2":
        return [
            Fix(
                "deployments_purposes_create",
                "POST",
                _path("deployment-attach-purpose", deployment.pk),
                ["purpose"],
                _("Attach a purpose declared with purposes_create."),
            )
        ]
    if rule == "R8":
        return [
            Fix(
                "deployments_purposes_destroy",
                "DELETE",
                _path("deployment-detach-purpose", deployment.pk, link.purpose_id),
                note=_("Detach, then attach again to record that it needs separate consent."),
            )
            for link in links
            if link.purpose.kind != "public_security" and not link.requires_separate_consent
        ]
    fixes = []
    for link in links:
        version = link.purpose.current_version
        fields = [p["field"] for p in purpose_version_problems(version) if p["rule"] == rule]
        if version is not None and fields:
            fixes.append(
                Fix(
                    "purposes_partial_update",
                    "PATCH",
                    _path("purpose-detail", link.purpose_id),
                    fields,
                    _("A change of content makes a new version, with a notice and assessment."),
                )
            )
    return fixes


def _notice_fixes(links) -> list[Fix]:
    fixes = []
    for link in links:
        version = link.purpose.current_version
        if version is None or Notice.objects.published().filter(purpose_version=version).exists():
            continue
        draft = (
            Notice.objects.filter(purpose_version=version, status=Notice.Status.DRAFT)
            .order_by("pk")
            .first()
        )
        if draft is None:
            fixes.append(
                Fix(
                    "notices_create",
                    "POST",
                    _path("notice-list"),
                    ["purpose_version", "language", *Notice.CONTENT_FIELDS],
                )
            )
            continue
        blank = [f for f in Notice.CONTENT_FIELDS if not getattr(draft, f).strip()]
        if blank:
            fixes.append(
                Fix("notices_partial_update", "PATCH", _path("notice-detail", draft.pk), blank)
            )
        fixes.append(Fix("notices_publish_create", "POST", _path("notice-publish", draft.pk)))
    return fixes


def _assessment_fixes(deployment, rule: str) -> list[Fix]:
    sign_off_note = _(
        "By a data protection officer who did not write the assessment (R27): another API key "
        "or person than the one that created it."
    )
    latest = (
        Assessment.objects.filter(deployment=deployment)
        .exclude(status=Assessment.Status.DRAFT)
        .order_by("-signed_off_at", "-pk")
        .first()
    )
    draft = (
        Assessment.objects.filter(deployment=deployment, status=Assessment.Status.DRAFT)
        .order_by("-pk")
        .first()
    )
    fixes = []
    if draft is None and latest is not None:
        return [
            Fix(
                "assessments_reassess_create",
                "POST",
                _path("assessment-reassess", latest.pk),
                note=_("Makes a draft from the last assessment; then sign it off."),
            )
        ]
    if draft is None:
        return [
            Fix(
                "assessments_create",
                "POST",
                _path("assessment-list"),
                ["deployment", "title", *Assessment.SECTION_FIELDS],
            )
        ]
    blank = [f for f in Assessment.SECTION_FIELDS if not getattr(draft, f).strip()]
    if blank:
        fixes.append(
            Fix("assessments_partial_update", "PATCH", _path("assessment-detail", draft.pk), blank)
        )
    fixes.append(
        Fix(
            "assessments_sign_off_create",
            "POST",
            _path("assessment-sign-off", draft.pk),
            note=sign_off_note,
        )
    )
    return fixes


def _fixes(deployment, check: RuleCheck, links) -> list[Fix]:
    rule = check.rule
    if rule in ("R6", "R7"):
        return _place_fixes(deployment, rule)
    if rule in ("R2", "R3", "R8", "R14", "R20"):
        return _purpose_fixes(deployment, rule, links)
    if rule == "R9":
        return _notice_fixes(links)
    if rule == "R19":
        return [
            _deployment_edit(
                deployment,
                ["central_storage_reason"],
                _("Or set storage_mode to on_device (allowed only while not active)."),
            )
        ]
    if rule in ("R27", "R29"):
        return _assessment_fixes(deployment, rule)
    return []


def deployment_checklist(deployment: Deployment) -> Checklist:
    """Return each unmet activation rule of ``deployment`` with the API calls that meet it,
    and the activation call itself."""
    links = _links(deployment)
    items = [
        ChecklistItem(check.rule, check.message, check.fix_url, _fixes(deployment, check, links))
        for check in deployment_checks(deployment)
        if not check.met
    ]
    activate = Fix(
        "deployments_activate_create", "POST", _path("deployment-activate", deployment.pk)
    )
    return Checklist(deployment, items, activate)
