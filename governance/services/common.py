"""Pieces shared by the governance services."""

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.models import Assessment
from tenants.errors import ApplicationError, UnknownReference


def require_same_org(obj, organization, field: str) -> None:
    """Raise UnknownReference naming ``field`` when ``obj`` is not the organization's.

    The same 400 as for an id that never existed: another tenant's object is never confirmed.
    """
    if obj is None or obj.organization.pk != organization.pk:
        raise UnknownReference(field, [getattr(obj, "pk", None)])


def require_text(values: dict, fields: dict) -> None:
    """Raise ApplicationError naming every mandatory field in ``fields`` left empty."""
    missing = [label for field, label in fields.items() if not str(values.get(field) or "").strip()]
    if missing:
        raise ApplicationError(
            _("Fill in: %s.") % ", ".join(str(m) for m in missing),
            code="missing_fields",
            details={"missing": list(fields_missing(values, fields))},
        )


def fields_missing(values: dict, fields: dict):
    return [field for field in fields if not str(values.get(field) or "").strip()]


def assessments_mark_stale(
    *, organization, actor: Actor, reason: str, deployment_ids=None
) -> list[int]:
    """Mark approved assessments stale (R29) and return their ids; audit each.

    ``deployment_ids`` None means every deployment of the organization.
    """
    rows = Assessment.objects.for_org(organization).filter(status=Assessment.Status.APPROVED)
    if deployment_ids is not None:
        rows = rows.filter(deployment_id__in=list(deployment_ids))
    ids = list(rows.select_for_update().values_list("pk", flat=True))
    if not ids:
        return []
    Assessment.objects.filter(pk__in=ids).update(
        status=Assessment.Status.STALE,
        stale_reason=reason[:300],
        stale_at=timezone.now(),
        updated_at=timezone.now(),
    )
    for pk in ids:
        audit_record(
            organization_id=organization.pk,
            actor=actor,
            action="assessment.marked_stale",
            target_type="assessment",
            target_id=pk,
            details={"reason": reason[:300]},
        )
    return ids
