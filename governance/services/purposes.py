"""Every write about purposes. Content is versioned: a material change makes a new version."""

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actors import Actor
from audit.services import audit_record
from governance.filing import filing_open_change
from governance.gates import purpose_version_problems
from governance.models import Deployment, Purpose, PurposeVersion
from governance.models.purposes import (
    DEFAULT_DECLARED_FPIR,
    MAX_DECLARED_FPIR,
    MIN_DECLARED_FPIR,
)
from governance.services.common import assessments_mark_stale, require_text
from governance.signals import purpose_version_superseded
from tenants.errors import ApplicationError, Conflict, RuleViolation

# Every field of a version. Any change to one of them is material (purpose, method or data
# handling, PIPL Art. 14): the old version's consents need renewing and the PIA is stale.
VERSION_FIELDS = (
    "description",
    "method",
    "necessity_justification",
    "alternatives",
    "alternative_exemption_citation",
    "fr_necessary_for_service",
    "fr_necessity_justification",
    "retention_days",
    "significant_effect",
    "keep_raw_images_allowed",
    "match_threshold",
    "declared_fpir",
    "human_review",
)
MANDATORY = {
    "description": gettext_lazy("description"),
    "method": gettext_lazy("processing method"),
    "necessity_justification": gettext_lazy("necessity justification"),
}
# Retention longer than this is never "the shortest time necessary" (R20) without review.
MAX_RETENTION_DAYS = 3650


def _check_kind(kind: str) -> None:
    # R41: the kinds are an allow-list; nothing that infers race, ethnicity, religion, health or
    # social class can be declared, so no job can ever run for it.
    if kind not in Purpose.Kind.values:
        raise RuleViolation(
            _("This kind of processing is not allowed."),
            details=[
                {
                    "rule": "R41",
                    "message": _(
                        "Purposes are limited to %(kinds)s. Inferring race, ethnicity, religion, "
                        "health or social class from faces is not permitted."
                    )
                    % {"kinds": ", ".join(Purpose.Kind.values)},
                    "fix_url": "",
                }
            ],
        )


def _build_version(purpose: Purpose, number: int, values: dict, actor: Actor) -> PurposeVersion:
    """Validate ``values`` and return an unsaved version; raise on any rule problem."""
    require_text(values, MANDATORY)
    alternatives = values.get("alternatives") or []
    if not isinstance(alternatives, list | tuple) or not all(
        isinstance(a, str) for a in alternatives
    ):
        raise ApplicationError(_("alternatives must be a list of texts."))
    threshold = float(values.get("match_threshold", 0.6))
    if not 0 < threshold <= 1:
        raise ApplicationError(_("The match threshold must be above 0 and at most 1."))
    fpir = float(values.get("declared_fpir", DEFAULT_DECLARED_FPIR))
    if not MIN_DECLARED_FPIR <= fpir <= MAX_DECLARED_FPIR:
        raise ApplicationError(
            _(
                "The accepted false-positive identification rate must be between %(low)s and "
                "%(high)s (for example 0.001: one stranger in a thousand named at most)."
            )
            % {"low": MIN_DECLARED_FPIR, "high": MAX_DECLARED_FPIR},
            code="invalid_fpir",
        )
    retention = values.get("retention_days")
    if retention is not None and int(retention) > MAX_RETENTION_DAYS:
        raise RuleViolation(
            _("The retention period is too long."),
            details=[
                {
                    "rule": "R20",
                    "message": _("Keep face data at most %d days.") % MAX_RETENTION_DAYS,
                    "fix_url": "",
                }
            ],
        )
    version = PurposeVersion(
        purpose=purpose,
        version=number,
        description=values["description"].strip(),
        method=values["method"].strip(),
        necessity_justification=values["necessity_justification"].strip(),
        alternatives=[a.strip() for a in alternatives if a.strip()],
        alternative_exemption_citation=(values.get("alternative_exemption_citation") or "").strip(),
        fr_necessary_for_service=bool(values.get("fr_necessary_for_service", False)),
        fr_necessity_justification=(values.get("fr_necessity_justification") or "").strip(),
        retention_days=int(retention or 0),
        significant_effect=bool(values.get("significant_effect", False)),
        keep_raw_images_allowed=bool(values.get("keep_raw_images_allowed", False)),
        match_threshold=threshold,
        declared_fpir=fpir,
        human_review=bool(values.get("human_review", False)),
        change_note=(values.get("change_note") or "").strip()[:300],
        created_by_label=actor.label[:200],
    )
    problems = purpose_version_problems(version)
    if problems:
        raise RuleViolation(
            _("The purpose does not meet %s.") % ", ".join(p["rule"] for p in problems),
            details=[{**p, "fix_url": ""} for p in problems],
        )
    return version


def _version_details(version: PurposeVersion) -> dict:
    return {
        "version": version.version,
        "retention_days": version.retention_days,
        "significant_effect": version.significant_effect,
        "keep_raw_images_allowed": version.keep_raw_images_allowed,
        "fr_necessary_for_service": version.fr_necessary_for_service,
        "declared_fpir": version.declared_fpir,
        "human_review": version.human_review,
    }


def _translations(values: dict) -> dict:
    """Pop and clean the purpose's Simplified Chinese texts (name, alternatives) from ``values``."""
    found = {}
    if "name_zh_hans" in values:
        found["name_zh_hans"] = (values.pop("name_zh_hans") or "").strip()[:200]
    if "alternatives_zh_hans" in values:
        alternatives = values.pop("alternatives_zh_hans") or []
        if not isinstance(alternatives, list | tuple) or not all(
            isinstance(a, str) for a in alternatives
        ):
            raise ApplicationError(_("alternatives_zh_hans must be a list of texts."))
        found["alternatives_zh_hans"] = [a.strip() for a in alternatives if a.strip()]
    return found


@transaction.atomic
def purpose_create(*, organization, actor: Actor, name: str, kind: str, **values) -> Purpose:
    """Declare a purpose with its first version. Raise RuleViolation for R3, R14, R20, R41."""
    translations = _translations(values)
    unknown = set(values) - set(VERSION_FIELDS) - {"change_note"}
    if unknown:
        raise ApplicationError(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))
    if not (name or "").strip():
        raise ApplicationError(_("Fill in: %s.") % _("name"), code="missing_fields")
    _check_kind(kind)
    purpose = Purpose(organization=organization, name=name.strip(), kind=kind, **translations)
    version = _build_version(purpose, 1, values, actor)
    purpose.save()
    version.purpose = purpose
    version.save()
    purpose.current_version = version
    purpose.save(update_fields=["current_version"])
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="purpose.created",
        target_type="purpose",
        target_id=purpose.pk,
        details={"kind": kind, **_version_details(version)},
    )
    return purpose


@transaction.atomic
def purpose_update(*, purpose: Purpose, actor: Actor, name: str | None = None, **values) -> Purpose:
    """Rename the purpose and/or change its content.

    A content change is material: it creates version n+1, makes it current, marks the impact
    assessments of deployments using the purpose stale (R29), opens a change filing once filed
    (R37) and, after commit, sends ``purpose_version_superseded`` so consents to the old
    versions are renewed (R11).
    """
    translations = _translations(values)
    unknown = set(values) - set(VERSION_FIELDS) - {"change_note"}
    if unknown:
        raise ApplicationError(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))
    purpose = Purpose.objects.select_for_update().get(pk=purpose.pk)
    current = purpose.current_version
    # A translation is not a new version: nothing about the processing changes.
    translated = sorted(f for f, v in translations.items() if getattr(purpose, f) != v)
    if translated:
        for field in translated:
            setattr(purpose, field, translations[field])
        purpose.save(update_fields=translated)
        audit_record(
            organization_id=purpose.organization_id,
            actor=actor,
            action="purpose.translated",
            target_type="purpose",
            target_id=purpose.pk,
            details={"fields": translated},
        )
    if name is not None and name.strip() and name.strip() != purpose.name:
        previous = purpose.name
        purpose.name = name.strip()
        purpose.save(update_fields=["name"])
        audit_record(
            organization_id=purpose.organization_id,
            actor=actor,
            action="purpose.renamed",
            target_type="purpose",
            target_id=purpose.pk,
            details={"from": previous, "to": purpose.name},
        )
    merged = {field: getattr(current, field) for field in VERSION_FIELDS}
    changed = sorted(
        f for f in VERSION_FIELDS if f in values and _normalized(f, values[f]) != merged[f]
    )
    if not changed:
        return purpose
    merged.update({f: values[f] for f in changed})
    merged["change_note"] = values.get("change_note", "")
    version = _build_version(purpose, current.version + 1, merged, actor)
    version.save()
    old_ids = list(purpose.versions.exclude(pk=version.pk).values_list("pk", flat=True))
    purpose.current_version = version
    purpose.save(update_fields=["current_version"])
    audit_record(
        organization_id=purpose.organization_id,
        actor=actor,
        action="purpose.versioned",
        target_type="purpose",
        target_id=purpose.pk,
        details={
            "fields": changed,
            "previous_version": current.version,
            **_version_details(version),
        },
    )
    reason = _("Purpose %(name)s changed (version %(n)s): %(fields)s.") % {
        "name": purpose.name,
        "n": version.version,
        "fields": ", ".join(changed),
    }
    deployment_ids = Deployment.objects.filter(purpose_links__purpose=purpose).values_list(
        "pk", flat=True
    )
    assessments_mark_stale(
        organization=purpose.organization,
        actor=actor,
        reason=reason,
        deployment_ids=list(deployment_ids),
    )
    filing_open_change(organization=purpose.organization, actor=actor, reason=reason)
    organization_id, new_id = purpose.organization_id, version.pk
    transaction.on_commit(
        lambda: purpose_version_superseded.send(
            sender=PurposeVersion,
            organization_id=organization_id,
            old_version_ids=old_ids,
            new_version_id=new_id,
            actor=actor,
        )
    )
    return purpose


def _normalized(field: str, value):
    if field == "alternatives":
        return [a.strip() for a in (value or []) if str(a).strip()]
    if field in ("match_threshold", "declared_fpir"):
        return float(value)
    if field == "retention_days":
        return int(value or 0)
    if isinstance(value, str):
        return value.strip()
    return value


@transaction.atomic
def purpose_delete(*, purpose: Purpose, actor: Actor) -> None:
    """Delete a purpose never used: raise Conflict when attached or referenced by a notice."""
    if purpose.deployment_links.exists():
        raise Conflict(_("Detach the purpose from every deployment first."), code="in_use")
    if PurposeVersion.objects.filter(purpose=purpose, notices__isnull=False).exists():
        raise Conflict(
            _("This purpose has notices: it is part of the record and cannot be deleted."),
            code="in_use",
        )
    audit_record(
        organization_id=purpose.organization_id,
        actor=actor,
        action="purpose.deleted",
        target_type="purpose",
        target_id=purpose.pk,
        details={"name": purpose.name},
    )
    try:
        with transaction.atomic():
            Purpose.objects.filter(pk=purpose.pk).update(current_version=None)
            purpose.delete()
    except ProtectedError:
        # Consents or results of a higher app name one of its versions.
        raise Conflict(
            _("This purpose is referenced by other records and cannot be deleted."),
            code="in_use",
        ) from None
