"""Filing with the provincial CAC: the stored-individual count, thresholds, deadlines (R35-R37).

The count of distinct individuals whose face data is stored now comes from the recognition app,
which sits above governance: settings name the counter (GOVERNANCE_STORED_INDIVIDUALS_COUNTER,
a dotted path), so governance imports nothing above it and nothing registers at start-up;
callers pass the count into ``filing_evaluate``.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.filing_warnings import filing_warnings_mail
from governance.models import Deployment, Filing, FilingAlert, FilingProfile
from governance.workdays import add_workdays
from tenants.errors import ApplicationError, Conflict
from tenants.models import Organization

FILING_WORKDAYS = 30
PROFILE_FIELDS = (
    "security_measures",
    "processing_rules",
    "operating_procedures",
    "legal_representative",
    "handling_person",
    "legacy_processor",
    "group_parent",
    "group_affiliates",
)
# CAC Announcement (R36): the fixed deadline of processors over the threshold before 1 June 2025.
LEGACY_FILING_DEADLINE = date(2025, 7, 14)


def stored_individuals_count(*, organization) -> int:
    """Return the organization's stored-individual count, 0 when no counter is configured.

    settings.GOVERNANCE_STORED_INDIVIDUALS_COUNTER names ``fn(*, organization) -> int``:
    distinct individuals stored now, deduplicated.
    """
    path = getattr(settings, "GOVERNANCE_STORED_INDIVIDUALS_COUNTER", "")
    return int(import_string(path)(organization=organization)) if path else 0


def filing_threshold() -> int:
    return int(getattr(settings, "FILING_THRESHOLD", 100_000))


def filing_warning_ratios() -> list[float]:
    return sorted(float(r) for r in getattr(settings, "FILING_WARNING_RATIOS", (0.8, 0.9)))


def filing_deadline(trigger: date) -> tuple[date, bool]:
    """Return (deadline, estimated): 30 PRC working days after ``trigger``."""
    result = add_workdays(trigger, FILING_WORKDAYS)
    return result.day, result.estimated


def _initial_deadline(organization, trigger: date) -> tuple[date, bool]:
    """Return (deadline, estimated) of an initial filing: the fixed R36 date for a legacy
    processor, otherwise 30 working days after ``trigger``."""
    profile = FilingProfile.objects.for_org(organization).first()
    if profile is not None and profile.legacy_processor:
        return LEGACY_FILING_DEADLINE, False
    return filing_deadline(trigger)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _audit_filing(filing: Filing, actor: Actor, action: str, **details) -> None:
    audit_record(
        organization_id=filing.organization_id,
        actor=actor,
        action=action,
        target_type="filing",
        target_id=filing.pk,
        details={"kind": filing.kind, "deadline": filing.deadline.isoformat(), **details},
    )


def _lock_org(organization) -> None:
    # Two evaluations at once (beat and a manual run) must not both open the same filing.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()


def _evaluate_alerts(organization, stored_count: int, threshold: int, actor: Actor) -> None:
    live = {
        alert.level: alert
        for alert in FilingAlert.objects.for_org(organization).filter(
            threshold=threshold, cleared_at__isnull=True
        )
    }
    for level in filing_warning_ratios():
        reached = stored_count >= level * threshold
        if reached and level not in live:
            alert = FilingAlert.objects.create(
                organization=organization,
                threshold=threshold,
                level=level,
                stored_count=stored_count,
            )
            audit_record(
                organization_id=organization.pk,
                actor=actor,
                action="filing.warning_raised",
                target_type="filing_alert",
                target_id=alert.pk,
                details={"level": level, "threshold": threshold, "stored_count": stored_count},
            )
        elif not reached and level in live:
            live[level].cleared_at = timezone.now()
            live[level].save(update_fields=["cleared_at"])


@transaction.atomic
def filing_evaluate(
    *, organization, stored_count: int, actor: Actor, today: date | None = None
) -> Filing | None:
    """Compare the stored count with the threshold; open the initial filing when it is reached.

    Idempotent: a threshold opens one filing (until that filing is cancelled), and each warning
    level warns once per crossing. Return the filing opened now, or None.
    """
    _lock_org(organization)
    threshold = filing_threshold()
    _evaluate_alerts(organization, stored_count, threshold, actor)
    # R35: the levels reached reach people too, once each (governance.filing_warnings).
    filing_warnings_mail(organization=organization, threshold=threshold, actor=actor)
    if stored_count < threshold:
        return None
    exists = (
        Filing.objects.for_org(organization)
        .filter(kind=Filing.Kind.INITIAL, threshold=threshold)
        .exclude(status=Filing.Status.CANCELLED)
        .exists()
    )
    if exists:
        return None
    trigger = _today(today)
    deadline, estimated = _initial_deadline(organization, trigger)
    filing = Filing.objects.create(
        organization=organization,
        kind=Filing.Kind.INITIAL,
        threshold=threshold,
        stored_count=stored_count,
        trigger_date=trigger,
        deadline=deadline,
        deadline_estimated=estimated,
        authority=_("Provincial CAC of %(province)s") % {"province": organization.province or "?"},
        reason=_("Stored individuals reached %(count)s (threshold %(threshold)s).")
        % {"count": stored_count, "threshold": threshold},
    )
    _audit_filing(filing, actor, "filing.opened", threshold=threshold, stored_count=stored_count)
    return filing


def organization_has_filed(*, organization) -> bool:
    """Return True once an initial filing has been submitted (changes then need a change filing)."""
    return (
        Filing.objects.for_org(organization)
        .filter(
            kind=Filing.Kind.INITIAL, status__in=[Filing.Status.SUBMITTED, Filing.Status.ACCEPTED]
        )
        .exists()
    )


@transaction.atomic
def filing_open_change(
    *, organization, actor: Actor, reason: str, today: date | None = None
) -> Filing | None:
    """Open a change filing for a substantive change, once the organization has filed (R37).

    A change while one change filing is already open is added to its reason; its deadline runs
    from the first change. Return the open change filing, or None before any initial filing.
    """
    if not organization_has_filed(organization=organization):
        return None
    _lock_org(organization)
    filing = Filing.objects.for_org(organization).filter(kind=Filing.Kind.CHANGE).open().first()
    if filing is not None:
        filing.reason = f"{filing.reason}\n{reason}".strip()
        filing.save(update_fields=["reason", "updated_at"])
        _audit_filing(filing, actor, "filing.change_noted", reason=reason)
        return filing
    trigger = _today(today)
    deadline, estimated = filing_deadline(trigger)
    filing = Filing.objects.create(
        organization=organization,
        kind=Filing.Kind.CHANGE,
        trigger_date=trigger,
        deadline=deadline,
        deadline_estimated=estimated,
        reason=reason,
    )
    _audit_filing(filing, actor, "filing.opened", reason=reason)
    return filing


@transaction.atomic
def filing_open_deregistration_if_ended(
    *, organization, actor: Actor, today: date | None = None
) -> Filing | None:
    """Open a deregistration when a filed organization has no deployment left in use (R37)."""
    if not organization_has_filed(organization=organization):
        return None
    in_use = (
        Deployment.objects.for_org(organization).exclude(status=Deployment.Status.RETIRED).exists()
    )
    pending = (
        Filing.objects.for_org(organization)
        .filter(kind=Filing.Kind.DEREGISTRATION)
        .pending()
        .exists()
    )
    if in_use or pending:
        return None
    trigger = _today(today)
    deadline, estimated = filing_deadline(trigger)
    filing = Filing.objects.create(
        organization=organization,
        kind=Filing.Kind.DEREGISTRATION,
        trigger_date=trigger,
        deadline=deadline,
        deadline_estimated=estimated,
        reason=_("Every deployment is retired: face-recognition processing has ended."),
    )
    _audit_filing(filing, actor, "filing.opened")
    return filing


@transaction.atomic
def filing_submit(
    *, filing: Filing, actor: Actor, filing_number: str = "", authority: str = ""
) -> Filing:
    """Record that the filing was made (online, grxxbh.cacdtsc.cn). Raise Conflict unless open."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if filing.status != Filing.Status.OPEN:
        raise Conflict(_("Only an open filing can be submitted."), code="filing_not_open")
    filing.status = Filing.Status.SUBMITTED
    filing.submitted_at = timezone.now()
    filing.filing_number = filing_number.strip() or filing.filing_number
    filing.authority = authority.strip() or filing.authority
    filing.save()
    _audit_filing(filing, actor, "filing.submitted", filing_number=filing.filing_number)
    return filing


@transaction.atomic
def filing_accept(*, filing: Filing, actor: Actor, filing_number: str) -> Filing:
    """Record the authority's acceptance and its filing number. Raise unless submitted."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if filing.status != Filing.Status.SUBMITTED:
        raise Conflict(_("Only a submitted filing can be accepted."), code="filing_not_submitted")
    if not filing_number.strip():
        raise ApplicationError(_("Enter the filing number the authority gave."))
    filing.status = Filing.Status.ACCEPTED
    filing.accepted_at = timezone.now()
    filing.filing_number = filing_number.strip()
    filing.save()
    _audit_filing(filing, actor, "filing.accepted", filing_number=filing.filing_number)
    return filing


@transaction.atomic
def filing_cancel(*, filing: Filing, actor: Actor, reason: str) -> Filing:
    """Cancel an open filing opened in error; the reason is kept in the audit trail."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if filing.status != Filing.Status.OPEN:
        raise Conflict(_("Only an open filing can be cancelled."), code="filing_not_open")
    if not reason.strip():
        raise ApplicationError(_("Say why the filing is cancelled."))
    filing.status = Filing.Status.CANCELLED
    filing.save(update_fields=["status", "updated_at"])
    _audit_filing(filing, actor, "filing.cancelled", reason=reason.strip())
    return filing


def filing_profile_get(*, organization) -> FilingProfile:
    """Return the organization's filing profile (an unsaved blank one when none exists)."""
    profile = FilingProfile.objects.for_org(organization).first()
    return profile or FilingProfile(organization=organization)


def _redate_open_initial_filings(organization, actor: Actor) -> None:
    # The legacy flag decides the deadline of an initial filing (R36): an open one follows it.
    for filing in Filing.objects.for_org(organization).filter(kind=Filing.Kind.INITIAL).open():
        filing.deadline, filing.deadline_estimated = _initial_deadline(
            organization, filing.trigger_date
        )
        filing.save(update_fields=["deadline", "deadline_estimated", "updated_at"])
        _audit_filing(filing, actor, "filing.deadline_changed")


@transaction.atomic
def filing_profile_update(*, organization, actor: Actor, **changes) -> FilingProfile:
    """Change the security measures and rules a filing states; a filed change opens R37."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))
    if changes.get("group_parent") and changes["group_parent"] == organization.slug:
        raise ApplicationError(
            _("An organization cannot be its own group parent."), code="invalid_group"
        )
    profile, _created = FilingProfile.objects.get_or_create(organization=organization)
    changed = [f for f, v in changes.items() if getattr(profile, f) != v]
    if not changed:
        return profile
    for field in changed:
        setattr(profile, field, changes[field])
    profile.save()
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="filing_profile.updated",
        target_type="filing_profile",
        target_id=profile.pk,
        details={"fields": sorted(changed)},
    )
    if "legacy_processor" in changed:
        _redate_open_initial_filings(organization, actor)
    substantive = {"security_measures", "processing_rules", "operating_procedures"} & set(changed)
    if substantive:
        filing_open_change(
            organization=organization,
            actor=actor,
            reason=_("Changed: %s.") % ", ".join(sorted(substantive)),
        )
    return profile
