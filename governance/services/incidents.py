"""Every write about the incident register (R34, PIPL Art. 57)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actors import Actor
from audit.services import audit_record
from governance.models import Incident
from governance.services.common import assessments_mark_stale, require_same_org, require_text
from governance.subjects import pseudonyms_unknown
from tenants.errors import ApplicationError, Conflict, UnknownReference

INCIDENT_FIELDS = (
    "deployment",
    "title",
    "severity",
    "occurred_at",
    "discovered_at",
    "data_types",
    "cause",
    "possible_harm",
    "remedial_measures",
    "individual_steps",
    "contact",
    "affected_count",
    "affected_subjects",
)
# PIPL Art. 57: what a notification to the authorities and to individuals must contain.
MANDATORY = {
    "title": gettext_lazy("title"),
    "severity": gettext_lazy("severity"),
    "data_types": gettext_lazy("types of personal information involved"),
    "cause": gettext_lazy("cause"),
    "possible_harm": gettext_lazy("possible harm"),
    "remedial_measures": gettext_lazy("remedial measures taken"),
    "individual_steps": gettext_lazy("steps individuals can take"),
    "contact": gettext_lazy("contact of the processor"),
}


def _audit(incident: Incident, actor: Actor, action: str, **details) -> None:
    audit_record(
        organization_id=incident.organization_id,
        actor=actor,
        action=action,
        target_type="incident",
        target_id=incident.pk,
        details={"severity": incident.severity} | details,
    )


def _validate(values: dict) -> None:
    unknown = set(values) - set(INCIDENT_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))
    if "severity" in values and values["severity"] not in Incident.Severity.values:
        raise ApplicationError(
            _("severity: choose one of %s.") % ", ".join(Incident.Severity.values),
            code="invalid_choice",
        )
    subjects = values.get("affected_subjects", [])
    if not isinstance(subjects, list | tuple) or not all(isinstance(s, str) for s in subjects):
        raise ApplicationError(_("affected_subjects must be a list of pseudonyms."))


def _check_references(values: dict, organization) -> None:
    """Refuse a deployment or subject pseudonym that is not the organization's (R33).

    The register goes to regulators: citing another organization's subject would both leak
    that the pseudonym exists and put a stranger in this organization's record.
    """
    if values.get("deployment") is not None:
        require_same_org(values["deployment"], organization, "deployment")
    if "affected_subjects" in values:
        cited = list(dict.fromkeys(str(s).strip().lower() for s in values["affected_subjects"]))
        unknown = pseudonyms_unknown(organization=organization, pseudonyms=cited)
        if unknown:
            raise UnknownReference("affected_subjects", unknown)
        values["affected_subjects"] = cited


def _stale_for_major(incident: Incident, actor: Actor) -> list[int]:
    """FRM Art. 9 (R29): a major incident makes the assessments it touches stale.

    Nothing is suspended here: the compliance view and the deployment page show the stale
    assessment, and people decide whether to suspend.
    """
    return assessments_mark_stale(
        organization=incident.organization,
        actor=actor,
        reason=_("Major incident: %s") % incident.title,
        deployment_ids=[incident.deployment_id] if incident.deployment_id else None,
    )


@transaction.atomic
def incident_create(*, organization, actor: Actor, **values) -> tuple[Incident, list[int]]:
    """Register an incident; return it with the ids of assessments it made stale."""
    _validate(values)
    require_text(values, MANDATORY)
    _check_references(values, organization)
    now = timezone.now()
    values.setdefault("discovered_at", now)
    values.setdefault("occurred_at", values["discovered_at"])
    if values["occurred_at"] > values["discovered_at"]:
        raise ApplicationError(_("An incident cannot occur after it was discovered."))
    if values["discovered_at"] > now:
        raise ApplicationError(_("The discovery time cannot be in the future."))
    incident = Incident.objects.create(organization=organization, **values)
    _audit(incident, actor, "incident.opened", deployment_id=incident.deployment_id)
    stale = _stale_for_major(incident, actor) if incident.severity == "major" else []
    return incident, stale


@transaction.atomic
def incident_update(*, incident: Incident, actor: Actor, **values) -> tuple[Incident, list[int]]:
    """Change an open incident; raising it to major marks assessments stale."""
    _validate(values)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == Incident.Status.CLOSED:
        raise Conflict(_("A closed incident cannot be changed."), code="closed")
    _check_references(values, incident.organization)
    merged = {f: values.get(f, getattr(incident, f)) for f in MANDATORY}
    require_text(merged, MANDATORY)
    changed = [f for f, v in values.items() if getattr(incident, f) != v]
    if not changed:
        return incident, []
    became_major = incident.severity != "major" and values.get("severity") == "major"
    for field in changed:
        setattr(incident, field, values[field])
    incident.save()
    _audit(incident, actor, "incident.updated", fields=sorted(changed))
    stale = _stale_for_major(incident, actor) if became_major else []
    return incident, stale


@transaction.atomic
def incident_record_notification(
    *, incident: Incident, actor: Actor, authorities: bool = False, individuals: bool = False
) -> Incident:
    """Record that the authorities and/or the individuals were notified (now)."""
    if not (authorities or individuals):
        raise ApplicationError(_("Say who was notified."))
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    now = timezone.now()
    if authorities and incident.authorities_notified_at is None:
        incident.authorities_notified_at = now
    if individuals and incident.individuals_notified_at is None:
        incident.individuals_notified_at = now
    incident.save()
    _audit(
        incident,
        actor,
        "incident.notified",
        authorities=bool(authorities),
        individuals=bool(individuals),
    )
    return incident


@transaction.atomic
def incident_close(*, incident: Incident, actor: Actor) -> Incident:
    """Close an incident once remedied. Raise Conflict when already closed."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == Incident.Status.CLOSED:
        raise Conflict(_("The incident is already closed."), code="closed")
    incident.status = Incident.Status.CLOSED
    incident.closed_at = timezone.now()
    incident.save(update_fields=["status", "closed_at", "updated_at"])
    _audit(incident, actor, "incident.closed")
    return incident
