"""Every write about impact assessments (R27-R30)."""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.api_fixes import api_fix, attach_purpose_fix
from governance.models import Assessment, AssessmentAttachment, Deployment, PurposeVersion
from governance.services.common import require_same_org
from governance.uploads import file_sha256, validate_attachment
from tenants import roles
from tenants.errors import ApplicationError, Conflict, Forbidden, RuleViolation

EDITABLE_FIELDS = ("title", *Assessment.SECTION_FIELDS)
# PIPL Art. 56, FRM Art. 9 (R30): PIA reports are kept at least three years.
RETENTION_YEARS = 3


def retention_end(start: date) -> date:
    try:
        return start.replace(year=start.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return start.replace(year=start.year + RETENTION_YEARS, day=28)


def _audit(assessment: Assessment, actor: Actor, action: str, **details) -> None:
    audit_record(
        organization_id=assessment.organization_id,
        actor=actor,
        action=action,
        target_type="assessment",
        target_id=assessment.pk,
        details={"deployment_id": assessment.deployment_id} | details,
    )


def _current_versions(deployment: Deployment) -> list[PurposeVersion]:
    """Return the current versions of the purposes attached to the deployment."""
    return list(
        PurposeVersion.objects.filter(
            purpose__deployment_links__deployment=deployment,
            pk=F("purpose__current_version_id"),
        ).select_related("purpose")
    )


def _check_versions(organization, versions) -> list[PurposeVersion]:
    versions = list(versions)
    for version in versions:
        require_same_org(version, organization, "purpose_versions")
    return versions


@transaction.atomic
def assessment_create(
    *,
    organization,
    actor: Actor,
    deployment: Deployment,
    title: str,
    purpose_versions=None,
    **sections,
) -> Assessment:
    """Draft an assessment of a deployment, covering the current versions of its purposes
    unless ``purpose_versions`` names others."""
    require_same_org(deployment, organization, "deployment")
    unknown = set(sections) - set(Assessment.SECTION_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))
    if not (title or "").strip():
        raise ApplicationError(_("Fill in: %s.") % _("title"), code="missing_fields")
    versions = (
        _check_versions(organization, purpose_versions)
        if purpose_versions is not None
        else _current_versions(deployment)
    )
    assessment = Assessment.objects.create(
        organization=organization,
        deployment=deployment,
        title=title.strip(),
        retain_until=retention_end(timezone.localdate()),
        created_by_id=actor.user_id,
        **{k: (v or "").strip() for k, v in sections.items()},
    )
    assessment.purpose_versions.set(versions)
    _audit(assessment, actor, "assessment.created", purpose_version_ids=[v.pk for v in versions])
    return assessment


def _lock_draft(assessment: Assessment) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Assessment.Status.DRAFT:
        raise Conflict(
            _("A signed-off assessment is a record and cannot be edited: reassess instead."),
            code="immutable",
        )
    return assessment


@transaction.atomic
def assessment_update(
    *, assessment: Assessment, actor: Actor, purpose_versions=None, **values
) -> Assessment:
    """Edit a draft's title, sections or covered purpose versions. Raise Conflict once signed."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))
    assessment = _lock_draft(assessment)
    changed = [f for f, v in values.items() if getattr(assessment, f) != (v or "").strip()]
    if "title" in changed and not values["title"].strip():
        raise ApplicationError(_("Fill in: %s.") % _("title"), code="missing_fields")
    for field in changed:
        setattr(assessment, field, (values[field] or "").strip())
    if changed:
        assessment.save()
    if purpose_versions is not None:
        versions = _check_versions(assessment.organization, purpose_versions)
        assessment.purpose_versions.set(versions)
        changed.append("purpose_versions")
    if changed:
        _audit(assessment, actor, "assessment.updated", fields=sorted(changed))
    return assessment


def _require_reviewer(assessment: Assessment, user) -> None:
    """Raise Forbidden unless ``user`` may review this assessment.

    The one rule for the panel, the API and the demo (R27, PIPL Art. 55-56): the data protection
    officer signs off, and whoever wrote the assessment cannot approve their own work.
    """
    if user is None or not user.has_perm(roles.SIGN_OFF_ASSESSMENT, assessment.organization):
        raise Forbidden(
            _("Only the data protection officer signs off an impact assessment (R27)."),
            code="sign_off_role",
        )
    if assessment.created_by_id is not None and assessment.created_by_id == user.pk:
        raise Forbidden(
            _("You wrote this assessment: another data protection officer signs it off (R27)."),
            code="sign_off_own",
        )


@transaction.atomic
def assessment_sign_off(*, assessment: Assessment, actor: Actor, user) -> Assessment:
    """Approve a draft as its reviewer.

    Raise Forbidden unless ``user`` holds SIGN_OFF_ASSESSMENT in the organization (the DPO,
    R27) and did not write the assessment; raise RuleViolation when a mandatory section is
    empty (R28) or the assessment does not cover the current version of every purpose of the
    deployment (R27).
    """
    assessment = _lock_draft(assessment)
    _require_reviewer(assessment, user)
    problems = [
        {
            "rule": "R28",
            "field": field,
            "message": _("Write the section: %s.") % Assessment._meta.get_field(field).verbose_name,
            "fix_url": "",
            "fix": _edit_fix(assessment, field),
        }
        for field in Assessment.SECTION_FIELDS
        if not getattr(assessment, field).strip()
    ]
    covered = set(assessment.purpose_versions.values_list("pk", flat=True))
    missing = [v for v in _current_versions(assessment.deployment) if v.pk not in covered]
    if missing:
        problems.append(
            {
                "rule": "R27",
                "field": "purpose_versions",
                "message": _("Cover the current version of: %s.")
                % ", ".join(f"{v.purpose.name} v{v.version}" for v in missing),
                "fix_url": "",
                "fix": _edit_fix(assessment, "purpose_versions"),
            }
        )
    if not covered and not missing:
        problems.append(
            {
                "rule": "R27",
                "field": "purpose_versions",
                "message": _("Attach the deployment's purposes before assessing it."),
                "fix_url": "",
                "fix": attach_purpose_fix(assessment.deployment),
            }
        )
    if problems:
        raise RuleViolation(_("The assessment cannot be signed off yet."), details=problems)
    today = timezone.localdate()
    assessment.status = Assessment.Status.APPROVED
    assessment.signed_off_by = user
    assessment.signed_off_at = timezone.now()
    assessment.retain_until = max(assessment.retain_until, retention_end(today))
    assessment.save()
    _audit(assessment, actor, "assessment.signed_off", retain_until=str(assessment.retain_until))
    return assessment


@transaction.atomic
def assessment_reassess(*, assessment: Assessment, actor: Actor) -> Assessment:
    """Start a new draft from a stale or approved assessment, covering the current versions."""
    source = Assessment.objects.get(pk=assessment.pk)
    if source.status == Assessment.Status.DRAFT:
        raise Conflict(_("This assessment is still a draft: edit it instead."), code="draft")
    return assessment_create(
        organization=source.organization,
        actor=actor,
        deployment=source.deployment,
        title=_("%(title)s (reassessment)") % {"title": source.title},
        **{field: getattr(source, field) for field in Assessment.SECTION_FIELDS},
    )


@transaction.atomic
def assessment_delete(*, assessment: Assessment, actor: Actor, today: date | None = None) -> None:
    """Delete an assessment: an unsigned draft any time, a signed one only after retention.

    Raise RuleViolation (R30) while a signed-off assessment is within its three years.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    today = today or timezone.localdate()
    if assessment.signed_off_at is not None and today < assessment.retain_until:
        raise RuleViolation(
            _("Impact assessments are kept at least three years."),
            code="retention_locked",
            details=[
                {
                    "rule": "R30",
                    "message": _("This assessment can be deleted from %s on.")
                    % assessment.retain_until.isoformat(),
                    "fix_url": "",
                }
            ],
        )
    _audit(assessment, actor, "assessment.deleted", title=assessment.title)
    for attachment in list(assessment.attachments.all()):
        attachment.file.delete(save=False)
        attachment.delete()
    assessment.delete()


@transaction.atomic
def assessment_attach(
    *, assessment: Assessment, actor: Actor, upload, name: str = ""
) -> AssessmentAttachment:
    """Store a supporting file with its digest. Raise ApplicationError for a bad file."""
    validate_attachment(upload)
    sha256 = file_sha256(upload)
    attachment = AssessmentAttachment(
        assessment=assessment,
        name=(name or upload.name).strip()[:200],
        size=upload.size,
        sha256=sha256,
        uploaded_by_label=actor.label[:200],
    )
    attachment.file.save(upload.name.rsplit("/", 1)[-1][:100], upload, save=False)
    attachment.save()
    _audit(
        assessment,
        actor,
        "assessment.attachment_added",
        attachment_id=attachment.pk,
        name=attachment.name,
        sha256=sha256,
    )
    return attachment


def _edit_fix(assessment: Assessment, field: str):
    """The API call that writes ``field`` of a draft assessment before its sign-off."""
    return api_fix(
        "assessments_partial_update", "PATCH", "assessment-detail", assessment.pk, field=field
    )
