"""Every write about notices (R9): drafted, published once, then immutable."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.content_language import notice_content_missing
from governance.models import Notice, PurposeVersion
from governance.services.common import require_same_org
from tenants.errors import ApplicationError, Conflict, RuleViolation


def notice_content_hash(notice: Notice) -> str:
    """Return the SHA-256 of the notice's content, language and purpose version."""
    body = {field: getattr(notice, field) for field in Notice.CONTENT_FIELDS}
    body["language"] = notice.language
    body["purpose_version_id"] = notice.purpose_version_id
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def notice_suggested_content(
    *, organization, purpose_version: PurposeVersion, language: str = ""
) -> dict:
    """Return draft texts filled from the organization and the purpose version, in ``language``
    where the portal or the organization has them (the retention sentence, the alternatives)."""
    with translation.override(language or translation.get_language()):
        return _suggested_content(organization, purpose_version)


def _suggested_content(organization, purpose_version: PurposeVersion) -> dict:
    contact = ", ".join(
        v
        for v in (
            organization.pi_contact_email or organization.contact_email,
            organization.contact_phone,
        )
        if v
    )
    alternatives = (
        "; ".join(purpose_version.local_alternatives)
        or purpose_version.alternative_exemption_citation
    )
    return {
        "controller_name": organization.name,
        "controller_contact": contact,
        "purpose_text": purpose_version.description,
        "method_text": purpose_version.method,
        "retention_text": _("%d days, then deleted.") % purpose_version.retention_days,
        "necessity_text": purpose_version.necessity_justification,
        "rights_impact_text": "",
        "rights_exercise_text": "",
        "alternative_text": alternatives,
    }


def _check_fields(values: dict) -> None:
    unknown = set(values) - set(Notice.CONTENT_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))


def _audit(notice: Notice, actor: Actor, action: str, **details) -> None:
    audit_record(
        organization_id=notice.organization_id,
        actor=actor,
        action=action,
        target_type="notice",
        target_id=notice.pk,
        details={"purpose_version_id": notice.purpose_version_id, "language": notice.language}
        | details,
    )


@transaction.atomic
def notice_create(
    *, organization, actor: Actor, purpose_version: PurposeVersion, language: str, **values
) -> Notice:
    """Draft a notice for a purpose version in 'en' or 'zh-hans'."""
    _check_fields(values)
    require_same_org(purpose_version, organization, "purpose_version")
    language = (language or "").lower()
    if language not in Notice.Language.values:
        raise ApplicationError(
            _("language: choose one of %s.") % ", ".join(Notice.Language.values),
            code="invalid_choice",
        )
    notice = Notice.objects.create(
        organization=organization,
        purpose_version=purpose_version,
        language=language,
        **{k: (v or "").strip() for k, v in values.items()},
    )
    _audit(notice, actor, "notice.created")
    return notice


def _lock_draft(notice: Notice) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == Notice.Status.PUBLISHED:
        raise Conflict(
            _("A published notice is immutable: draft a new one instead."), code="immutable"
        )
    return notice


@transaction.atomic
def notice_update(*, notice: Notice, actor: Actor, **values) -> Notice:
    """Change a draft. Raise Conflict for a published notice (it is immutable)."""
    _check_fields(values)
    notice = _lock_draft(notice)
    changed = [f for f, v in values.items() if getattr(notice, f) != (v or "").strip()]
    for field in changed:
        setattr(notice, field, (values[field] or "").strip())
    if changed:
        notice.save()
        _audit(notice, actor, "notice.updated", fields=sorted(changed))
    return notice


@transaction.atomic
def notice_publish(*, notice: Notice, actor: Actor) -> Notice:
    """Publish a draft with its content hash.

    Raise RuleViolation (R9) naming each empty mandatory field and each text of the purpose
    missing in the notice's language (its name, its alternatives), Conflict when the purpose
    version is superseded or a notice in this language is already published for it.
    """
    notice = _lock_draft(notice)
    missing = [f for f in Notice.CONTENT_FIELDS if not getattr(notice, f).strip()]
    if missing:
        raise RuleViolation(
            _("The notice lacks what R9 requires."),
            details=[
                {
                    "rule": "R9",
                    "field": field,
                    "message": _("Fill in %s.") % Notice._meta.get_field(field).verbose_name,
                    "fix_url": "",
                }
                for field in missing
            ],
        )
    version = notice.purpose_version
    untranslated = notice_content_missing(purpose_version=version, language=notice.language)
    if untranslated:
        raise RuleViolation(
            _("The notice would show the purpose's own texts in another language: %s.")
            % ", ".join(m["field"] for m in untranslated),
            details=[{"rule": "R9", **m, "fix_url": ""} for m in untranslated],
        )
    if version.purpose.current_version_id != version.pk:
        raise Conflict(
            _("This purpose version was superseded: write the notice for the current one."),
            code="superseded",
        )
    notice.status = Notice.Status.PUBLISHED
    notice.published_at = timezone.now()
    notice.content_hash = notice_content_hash(notice)
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError:
        raise Conflict(
            _("A notice in this language is already published for this purpose version."),
            code="duplicate",
        ) from None
    _audit(notice, actor, "notice.published", content_hash=notice.content_hash)
    return notice


@transaction.atomic
def notice_delete(*, notice: Notice, actor: Actor) -> None:
    """Delete a draft. Raise Conflict for a published notice (people were shown it)."""
    notice = _lock_draft(notice)
    _audit(notice, actor, "notice.deleted")
    notice.delete()
