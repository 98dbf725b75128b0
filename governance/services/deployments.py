"""Every write about deployments, their devices, purposes and operator grants."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm, remove_perm

from audit.actors import Actor
from audit.services import audit_record
from governance.filing import filing_open_change, filing_open_deregistration_if_ended
from governance.gates import deployment_unmet
from governance.models import Deployment, DeploymentPurpose, Device, Location, Purpose
from governance.selectors import GRANTABLE_CODENAMES
from governance.services.common import assessments_mark_stale, require_same_org, require_text
from governance.uploads import validate_signage_photo
from outbox.services import event_record
from tenants.errors import ApplicationError, Conflict, NotFound, RuleViolation
from tenants.references import reference_resolve

DEPLOYMENT_FIELDS = (
    "name",
    "address",
    "name_zh_hans",
    "address_zh_hans",
    "province",
    "place_type",
    "processing_kind",
    "jurisdiction",
    "storage_mode",
    "central_storage_reason",
    "storage_location",
    "processing_location",
    "verification_channel",
    "public_security_justification",
    "capture_area",
    "signage_location",
    "signage_date",
)
MANDATORY = {
    "name": gettext_lazy("name"),
    "address": gettext_lazy("address"),
    "province": gettext_lazy("province"),
    "place_type": gettext_lazy("place type"),
}
# Recorded when a deployment switches to on-device storage (R19); recognition purges.
TOPIC_STORAGE_ON_DEVICE = "governance.storage_on_device"
# A change to how faces are processed needs a new impact assessment (FRM Art. 9, R29) and, once
# filed, a change filing (R37).
# Moving data abroad (R26) changes the method too: PIPL Art. 55 asks an assessment for it.
METHOD_FIELDS = frozenset(
    {
        "place_type",
        "processing_kind",
        "jurisdiction",
        "storage_mode",
        "storage_location",
        "processing_location",
        "verification_channel",
    }
)
# Where a new site stores and processes when it does not say: where it collects (R26).
LOCATION_OF_JURISDICTION = {
    Deployment.Jurisdiction.CN: Location.CN,
    Deployment.Jurisdiction.EU: Location.EU,
    Deployment.Jurisdiction.US_IL: Location.US,
}


def _r7_violation(deployment_or_place: str) -> RuleViolation:
    return RuleViolation(
        _("Face recognition is forbidden in this kind of place."),
        details=[
            {
                "rule": "R7",
                "message": _(
                    "Hotel guest rooms, public bathhouses, public changing rooms and public "
                    "toilets never host face recognition, whatever anyone overrides."
                ),
                "fix_url": "",
            }
        ],
    )


def _check_choices(values: dict) -> None:
    for field, choices in (
        ("place_type", Deployment.PlaceType),
        ("processing_kind", Deployment.ProcessingKind),
        ("jurisdiction", Deployment.Jurisdiction),
        ("storage_mode", Deployment.StorageMode),
        ("verification_channel", Deployment.VerificationChannel),
        ("storage_location", Location),
        ("processing_location", Location),
    ):
        if field in values and values[field] not in choices.values:
            raise ApplicationError(
                _("%(field)s: choose one of %(choices)s.")
                % {"field": field, "choices": ", ".join(choices.values)},
                code="invalid_choice",
            )


def _audit(deployment: Deployment, actor: Actor, action: str, **details) -> None:
    audit_record(
        organization_id=deployment.organization_id,
        actor=actor,
        action=action,
        target_type="deployment",
        target_id=deployment.pk,
        details=details,
    )


@transaction.atomic
def deployment_create(*, organization, actor: Actor, **values) -> Deployment:
    """Create a draft deployment. A banned place type may be recorded but never activated."""
    unknown = set(values) - set(DEPLOYMENT_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))
    require_text(values, MANDATORY)
    if not values.get("jurisdiction"):
        values["jurisdiction"] = organization.jurisdiction
    home = LOCATION_OF_JURISDICTION.get(values["jurisdiction"], Location.OTHER)
    for field in ("storage_location", "processing_location"):
        values[field] = values.get(field) or home
    _check_choices(values)
    deployment = Deployment.objects.create(organization=organization, **values)
    _audit(
        deployment,
        actor,
        "deployment.created",
        place_type=deployment.place_type,
        processing_kind=deployment.processing_kind,
        jurisdiction=deployment.jurisdiction,
    )
    return deployment


def _lock(deployment: Deployment) -> Deployment:
    return (
        Deployment.objects.select_for_update().select_related("organization").get(pk=deployment.pk)
    )


@transaction.atomic
def deployment_update(*, deployment: Deployment, actor: Actor, **changes) -> Deployment:
    """Change a deployment's details.

    Raise RuleViolation (R7) when an active deployment would move into a banned place, Conflict
    when an active deployment's processing method would change (suspend it first: the change
    needs a new assessment), and RuleViolation when the change would leave it failing a rule.
    """
    unknown = set(changes) - set(DEPLOYMENT_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))
    _check_choices(changes)
    deployment = _lock(deployment)
    if deployment.status == Deployment.Status.RETIRED:
        raise Conflict(_("A retired deployment cannot be changed."), code="retired")
    changed = [f for f, v in changes.items() if getattr(deployment, f) != v]
    if not changed:
        return deployment
    require_text({f: changes.get(f, getattr(deployment, f)) for f in MANDATORY}, MANDATORY)
    active = deployment.status == Deployment.Status.ACTIVE
    if active and changes.get("place_type") in Deployment.BANNED_PLACE_TYPES:
        raise _r7_violation(changes["place_type"])
    method_changed = sorted(METHOD_FIELDS & set(changed))
    if active and method_changed:
        raise Conflict(
            _("Suspend the deployment before changing %s: it needs a new impact assessment.")
            % ", ".join(method_changed),
            code="suspend_first",
        )
    # The audit keeps where a method field came from (R17, R19: jurisdiction, storage mode).
    previous = {f: getattr(deployment, f) for f in changed if f in METHOD_FIELDS}
    for field in changed:
        setattr(deployment, field, changes[field])
    if active:
        unmet = deployment_unmet(deployment)
        if unmet:
            # Roll back the in-memory change too: callers may keep using the instance.
            deployment.refresh_from_db()
            raise RuleViolation(
                _("This change would leave an active deployment failing a rule."), details=unmet
            )
    deployment.save()
    _audit(deployment, actor, "deployment.updated", fields=sorted(changed), previous=previous)
    if "storage_mode" in changed and deployment.storage_mode == Deployment.StorageMode.ON_DEVICE:
        # R19 (FRM Art. 8): an on-device deployment holds no central template. Recognition
        # purges them after the commit, through the outbox like a consent change, so a failure
        # is retried and the switch itself never waits on the purge.
        event_record(
            topic=TOPIC_STORAGE_ON_DEVICE,
            organization_id=deployment.organization_id,
            payload={
                "deployment_id": deployment.pk,
                "actor_kind": actor.kind,
                "actor_id": str(actor.id or ""),
            },
        )
    if method_changed:
        reason = _("Processing method of %(name)s changed: %(fields)s.") % {
            "name": deployment.name,
            "fields": ", ".join(method_changed),
        }
        assessments_mark_stale(
            organization=deployment.organization,
            actor=actor,
            reason=reason,
            deployment_ids=[deployment.pk],
        )
        filing_open_change(organization=deployment.organization, actor=actor, reason=reason)
    return deployment


@transaction.atomic
def deployment_set_signage(
    *, deployment: Deployment, actor: Actor, photo, location: str, taken_on
) -> Deployment:
    """Store signage evidence (R6): an image, where it hangs and when it was photographed."""
    validate_signage_photo(photo)
    if not location.strip() or taken_on is None:
        raise ApplicationError(
            _("Signage evidence needs the photo's location and date."), code="missing_fields"
        )
    if taken_on > timezone.localdate():
        raise ApplicationError(_("The signage photo date cannot be in the future."))
    deployment = _lock(deployment)
    if deployment.status == Deployment.Status.RETIRED:
        raise Conflict(_("A retired deployment cannot be changed."), code="retired")
    deployment.signage_photo.save(photo.name.rsplit("/", 1)[-1][:100], photo, save=False)
    deployment.signage_location = location.strip()
    deployment.signage_date = taken_on
    deployment.save()
    _audit(
        deployment,
        actor,
        "deployment.signage_recorded",
        location=deployment.signage_location,
        date=taken_on.isoformat(),
    )
    return deployment


@transaction.atomic
def deployment_activate(*, deployment: Deployment, actor: Actor) -> Deployment:
    """Activate a draft or suspended deployment after every gate passes.

    Raise RuleViolation listing each unmet rule (R7 has no override), Conflict when the status
    does not allow activation.
    """
    deployment = _lock(deployment)
    if deployment.status not in (Deployment.Status.DRAFT, Deployment.Status.SUSPENDED):
        raise Conflict(
            _("Only a draft or suspended deployment can be activated."), code="invalid_status"
        )
    unmet = deployment_unmet(deployment)
    if unmet:
        raise RuleViolation(
            _("The deployment cannot be activated: %d rule(s) are unmet.") % len(unmet),
            details=unmet,
        )
    previous = deployment.status
    deployment.status = Deployment.Status.ACTIVE
    deployment.activated_at = timezone.now()
    deployment.save(update_fields=["status", "activated_at", "updated_at"])
    _audit(deployment, actor, "deployment.activated", previous=previous)
    if previous == Deployment.Status.DRAFT:
        filing_open_change(
            organization=deployment.organization,
            actor=actor,
            reason=_("New deployment in use: %s.") % deployment.name,
        )
    return deployment


@transaction.atomic
def deployment_suspend(*, deployment: Deployment, actor: Actor, reason: str = "") -> Deployment:
    """Suspend an active deployment: recognition stops until it is activated again."""
    deployment = _lock(deployment)
    if deployment.status != Deployment.Status.ACTIVE:
        raise Conflict(_("Only an active deployment can be suspended."), code="invalid_status")
    deployment.status = Deployment.Status.SUSPENDED
    deployment.suspended_at = timezone.now()
    deployment.save(update_fields=["status", "suspended_at", "updated_at"])
    _audit(deployment, actor, "deployment.suspended", reason=reason.strip()[:300])
    return deployment


@transaction.atomic
def deployment_retire(*, deployment: Deployment, actor: Actor) -> Deployment:
    """Retire a deployment for good; when it was the last one in use, open a deregistration."""
    deployment = _lock(deployment)
    if deployment.status == Deployment.Status.RETIRED:
        raise Conflict(_("The deployment is already retired."), code="invalid_status")
    previous = deployment.status
    deployment.status = Deployment.Status.RETIRED
    deployment.retired_at = timezone.now()
    deployment.save(update_fields=["status", "retired_at", "updated_at"])
    _audit(deployment, actor, "deployment.retired", previous=previous)
    filing_open_deregistration_if_ended(organization=deployment.organization, actor=actor)
    return deployment


@transaction.atomic
def device_add(
    *, deployment: Deployment, actor: Actor, identifier: str, kind: str, location: str = ""
) -> Device:
    """Register a device. Raise RuleViolation (R7) in a banned place, Conflict if duplicated."""
    deployment = _lock(deployment)
    if deployment.is_banned_place:
        raise _r7_violation(deployment.place_type)
    if deployment.status == Deployment.Status.RETIRED:
        raise Conflict(_("A retired deployment cannot get devices."), code="retired")
    if not identifier.strip():
        raise ApplicationError(_("A device needs an identifier."), code="missing_fields")
    if kind not in Device.Kind.values:
        raise ApplicationError(
            _("kind: choose one of %s.") % ", ".join(Device.Kind.values), code="invalid_choice"
        )
    try:
        with transaction.atomic():
            device = Device.objects.create(
                deployment=deployment, identifier=identifier.strip(), kind=kind, location=location
            )
    except IntegrityError:
        raise Conflict(
            _("A device with this identifier is already registered here."), code="duplicate"
        ) from None
    _audit(deployment, actor, "device.added", device_id=device.pk, identifier=device.identifier)
    return device


@transaction.atomic
def device_remove(*, device: Device, actor: Actor) -> None:
    deployment = device.deployment
    _audit(deployment, actor, "device.removed", device_id=device.pk, identifier=device.identifier)
    device.delete()


@transaction.atomic
def deployment_attach_purpose(
    *, deployment: Deployment, purpose: Purpose, actor: Actor
) -> DeploymentPurpose:
    """Attach a purpose to a draft or suspended deployment.

    In a public place a purpose other than public security is attached as needing each
    subject's separate consent (PIPL Art. 26, R8).
    """
    deployment = _lock(deployment)
    require_same_org(purpose, deployment.organization, "purpose")
    if deployment.status not in (Deployment.Status.DRAFT, Deployment.Status.SUSPENDED):
        raise Conflict(
            _("Suspend the deployment before adding a purpose: it needs a new assessment."),
            code="suspend_first",
        )
    separate = deployment.is_public_place and purpose.kind != Purpose.Kind.PUBLIC_SECURITY
    link, created = DeploymentPurpose.objects.get_or_create(
        deployment=deployment, purpose=purpose, defaults={"requires_separate_consent": separate}
    )
    if not created:
        raise Conflict(_("This purpose is already attached."), code="duplicate")
    _audit(
        deployment,
        actor,
        "deployment.purpose_attached",
        purpose_id=purpose.pk,
        requires_separate_consent=separate,
    )
    return link


@transaction.atomic
def deployment_detach_purpose(*, deployment: Deployment, purpose: Purpose, actor: Actor) -> None:
    """Detach a purpose; processing for it stops at once (the consent app reads the link).

    An active deployment left without any purpose stays active but is flagged (R2): its new
    enrollments and jobs are refused until it has a purpose again (gates).
    """
    deleted, _rows = DeploymentPurpose.objects.filter(
        deployment=deployment, purpose=purpose
    ).delete()
    if not deleted:
        raise NotFound(_("This purpose is not attached."))
    purposeless = (
        Deployment.objects.filter(pk=deployment.pk, status=Deployment.Status.ACTIVE).exists()
        and not DeploymentPurpose.objects.filter(deployment=deployment).exists()
    )
    _audit(
        deployment,
        actor,
        "deployment.purpose_detached",
        purpose_id=purpose.pk,
        **({"processing_suspended": "R2"} if purposeless else {}),
    )
    filing_open_change(
        organization=deployment.organization,
        actor=actor,
        reason=_("Purpose %(purpose)s no longer used at %(name)s.")
        % {"purpose": purpose.name, "name": deployment.name},
    )


def _grant_target(deployment: Deployment, user, perms) -> list[str]:
    if not deployment.organization.memberships.filter(user=user).exists():
        raise NotFound(_("Member not found."))
    perms = list(perms or GRANTABLE_CODENAMES)
    bad = sorted(set(perms) - set(GRANTABLE_CODENAMES))
    if bad:
        raise ApplicationError(
            _("Grantable permissions are: %s.") % ", ".join(GRANTABLE_CODENAMES),
            code="invalid_permission",
        )
    return sorted(set(perms))


@transaction.atomic
def deployment_grant_operator(
    *, deployment: Deployment, user, actor: Actor, perms=None
) -> list[str]:
    """Grant a member per-deployment permissions (run_job, enroll_faces, view_results).

    Operators run jobs and enroll only where granted (tenants.roles). Return the codenames.
    """
    perms = _grant_target(deployment, user, perms)
    for codename in perms:
        assign_perm(f"governance.{codename}", user, deployment)
    _audit(deployment, actor, "deployment.grant_added", user_id=user.pk, permissions=perms)
    return perms


@transaction.atomic
def deployment_revoke_operator(
    *, deployment: Deployment, user, actor: Actor, perms=None
) -> list[str]:
    """Remove per-deployment permissions from a member; effective on their next request."""
    perms = _grant_target(deployment, user, perms)
    for codename in perms:
        remove_perm(f"governance.{codename}", user, deployment)
    # Deleting the grant ends every remembered API-key principal (tenants.principal_cache).
    _audit(deployment, actor, "deployment.grant_removed", user_id=user.pk, permissions=perms)
    return perms


def user_by_id(*, organization, user_id: int, field: str | None = None):
    """Return the organization's member with this id.

    Raise NotFound for an id in the path, UnknownReference naming ``field`` for one in a body.
    """
    members = get_user_model().objects.filter(memberships__organization=organization)
    if field is not None:
        return reference_resolve(members, user_id, field=field)
    user = members.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("Member not found."))
    return user
