"""Answer deadlines per jurisdiction profile (R50) and the job that flags them.

GDPR Art. 12(3): one month from receipt, extendable by two further months when the person is
told, with reasons, within the first month. PIPL Art. 45-46 say "timely" with no number;
GB/T 35273 is said to use 30 days, so CN and US-IL use days set per organization (default 30).
"""

import calendar
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services.recording import EventSpec, audit_record_many
from consent.jurisdiction import jurisdictions_of
from consent.models import Consent
from dsr.models import DataRequest, DsrSettings
from tenants.alerts import alert_send
from tenants.models import Organization

EU = Organization.Jurisdiction.EU


def add_months(moment: datetime, months: int) -> datetime:
    """Return ``moment`` plus calendar months; 31 January + 1 month is the last of February."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def dsr_settings_for(*, organization, jurisdiction: str | None = None) -> dict:
    """Return the deadline settings under ``jurisdiction`` (default: the organization's
    profile), defaults filled in from it."""
    row = DsrSettings.objects.filter(organization=organization).first()
    jurisdiction = jurisdiction or organization.jurisdiction
    eu = jurisdiction == EU
    return {
        "jurisdiction": jurisdiction,
        "unit": "months" if eu else "days",
        "response": settings.DSR_EU_MONTHS
        if eu
        else (row and row.response_days) or settings.DSR_DEFAULT_DAYS,
        "extension": settings.DSR_EU_EXTENSION_MONTHS
        if eu
        else (row and row.extension_days) or settings.DSR_DEFAULT_EXTENSION_DAYS,
        "due_soon_days": (row and row.due_soon_days) or settings.DSR_DUE_SOON_DAYS,
    }


def _later(moment: datetime, amount: int, unit: str) -> datetime:
    return add_months(moment, amount) if unit == "months" else moment + timedelta(days=amount)


def request_jurisdictions(*, organization, subject_id=None) -> set[str]:
    """Return the jurisdictions whose deadlines bind a request of this subject (R50).

    The sites the person's consents were given for decide, not the organization's profile: a
    Chinese organization's Illinois or EU visitor is answered under that site's law.
    """
    if subject_id is None:
        return {organization.jurisdiction}
    consents = Consent.objects.filter(organization=organization, subject_id=subject_id)
    return jurisdictions_of(
        organization=organization, consents=consents.values_list("deployment_id", "purpose_id")
    )


def _settings_each(organization, subject_id) -> list[dict]:
    return [
        dsr_settings_for(organization=organization, jurisdiction=j)
        for j in sorted(request_jurisdictions(organization=organization, subject_id=subject_id))
    ]


def first_deadline(*, organization, received_at: datetime, subject_id=None) -> datetime:
    """Return the deadline of a request received at ``received_at``: the earliest that any
    jurisdiction of the subject's sites sets (GDPR one month; PIPL "timely" in days)."""
    return min(
        _later(received_at, conf["response"], conf["unit"])
        for conf in _settings_each(organization, subject_id)
    )


def extended_deadline(*, organization, first_due_at: datetime, subject_id=None) -> datetime:
    """Return the deadline after the one extension the law allows (the earliest again)."""
    return min(
        _later(first_due_at, conf["extension"], conf["unit"])
        for conf in _settings_each(organization, subject_id)
    )


@transaction.atomic
def dsr_settings_update(
    *, organization, actor: Actor, response_days=None, extension_days=None, due_soon_days=None
) -> DsrSettings:
    """Set the organization's deadlines (CN and US-IL; EU follows GDPR Art. 12(3) in months)."""
    from audit.services import audit_record

    row, _created = DsrSettings.objects.select_for_update().get_or_create(organization=organization)
    row.response_days, row.extension_days = response_days, extension_days
    row.due_soon_days = due_soon_days
    row.save()
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="dsr.settings_updated",
        target_type="dsr_settings",
        target_id=row.pk,
        details={
            "response_days": response_days,
            "extension_days": extension_days,
            "due_soon_days": due_soon_days,
        },
    )
    return row


def dsr_deadlines_flag(*, now=None) -> dict:
    """Flag open requests due soon or overdue; e-mail each organization's DPOs once per level.

    Return how many requests were newly flagged at each level. The flag only rises
    (due soon, then overdue); an extension that moves the deadline clears it.
    """
    now = now or timezone.now()
    counts = {"due_soon": 0, "overdue": 0}
    by_org: dict[int, list[DataRequest]] = {}
    with transaction.atomic():
        open_requests = (
            DataRequest.objects.open()
            .filter(due_at__isnull=False)
            .select_related("organization")
            .select_for_update(skip_locked=True, of=("self",))
        )
        for request in open_requests:
            conf = dsr_settings_for(organization=request.organization)
            if request.due_at <= now:
                level = DataRequest.DeadlineFlag.OVERDUE
            elif request.due_at <= now + timedelta(days=conf["due_soon_days"]):
                level = DataRequest.DeadlineFlag.DUE_SOON
            else:
                level = ""
            if level == request.deadline_flag:
                continue
            request.deadline_flag = level
            fields = ["deadline_flag"]
            if level:
                request.deadline_alerted_at = now
                fields.append("deadline_alerted_at")
                counts[level] += 1
                by_org.setdefault(request.organization_id, []).append(request)
            request.save(update_fields=fields)
        for org_id, requests in by_org.items():
            audit_record_many(
                organization_id=org_id,
                actor=Actor.system("dsr deadline job"),
                events=[
                    EventSpec(
                        f"data_request.{r.deadline_flag}",
                        "data_request",
                        str(r.pk),
                        str(r.subject_pseudonym),
                        {"due_at": r.due_at.isoformat()},
                    )
                    for r in requests
                ],
            )
        transaction.on_commit(lambda: _tell_dpos(by_org))
    return counts


def _tell_dpos(by_org: dict[int, list[DataRequest]]) -> None:
    for requests in by_org.values():

        def render(requests=requests) -> tuple[str, str]:
            lines = [
                _("Request #%(id)s (%(kind)s): %(flag)s, due %(due)s")
                % {
                    "id": r.pk,
                    "kind": r.get_kind_display(),
                    "flag": r.get_deadline_flag_display(),
                    "due": timezone.localtime(r.due_at).strftime("%Y-%m-%d %H:%M"),
                }
                for r in requests
            ]
            subject = _("%(org)s: data-subject requests need attention") % {
                "org": requests[0].organization.name
            }
            return subject, "\n".join(lines)

        alert_send(organization=requests[0].organization, render=render)
