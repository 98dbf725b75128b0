"""The dashboard's charts, each drawn from the organization's own rows (portal.panel.charts)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consent.models import ConsentEvent
from dsr.models import DataRequest
from governance.filing import filing_threshold, stored_individuals_count
from portal.panel.charts import Chart, gauge, grouped_bars, horizontal_bars
from recognition.models import RecognitionJob, RecognitionResult
from tenants import roles

DAYS = 14
# Results that name or confirm someone, and those that name no one (R54: ambiguous is not named).
_NAMED = (RecognitionResult.Decision.NAMED, RecognitionResult.Decision.VERIFIED)
_UNKNOWN = (
    RecognitionResult.Decision.UNKNOWN,
    RecognitionResult.Decision.AMBIGUOUS,
    RecognitionResult.Decision.NOT_VERIFIED,
)


def _days(today):
    return [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]


def _label(day) -> str:
    return date_format(day, "m-d")


def consents_chart(*, organization, today) -> Chart:
    """Consents given and withdrawn per day over the last two weeks."""
    days = _days(today)
    rows = (
        ConsentEvent.objects.for_org(organization)
        .filter(
            Q(type=ConsentEvent.Type.GIVEN) | Q(type=ConsentEvent.Type.WITHDRAWN),
            at__date__gte=days[0],
        )
        .annotate(day=TruncDate("at"))
        .values("day", "type")
        .annotate(n=Count("pk"))
    )
    counts = {(r["day"], r["type"]): r["n"] for r in rows}
    given = [counts.get((d, ConsentEvent.Type.GIVEN), 0) for d in days]
    withdrawn = [counts.get((d, ConsentEvent.Type.WITHDRAWN), 0) for d in days]
    return grouped_bars(
        key="consents",
        title=_("Consents given and withdrawn per day"),
        desc=_("%(given)d consents given and %(withdrawn)d withdrawn in the last %(days)d days.")
        % {"given": sum(given), "withdrawn": sum(withdrawn), "days": DAYS},
        categories=[_label(d) for d in days],
        series=[_("given"), _("withdrawn")],
        values=[given, withdrawn],
    )


def jobs_charts(*, organization, today) -> list[Chart]:
    """Recognition jobs per day, and the share of faces named and left unknown per day."""
    days = _days(today)
    jobs = (
        RecognitionJob.objects.for_org(organization)
        .filter(created_at__date__gte=days[0])
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
    )
    per_day = {r["day"]: r["n"] for r in jobs}
    faces = (
        RecognitionResult.objects.for_org(organization)
        .filter(job__created_at__date__gte=days[0])
        .annotate(day=TruncDate("job__created_at"))
        .values("day")
        .annotate(
            total=Count("pk"),
            named=Count("pk", filter=Q(decision__in=_NAMED)),
            unknown=Count("pk", filter=Q(decision__in=_UNKNOWN)),
        )
    )
    by_day = {r["day"]: r for r in faces}

    def rate(day, key):
        row = by_day.get(day)
        return round(100 * row[key] / row["total"]) if row and row["total"] else 0

    counts = [per_day.get(d, 0) for d in days]
    named = [rate(d, "named") for d in days]
    unknown = [rate(d, "unknown") for d in days]
    total_faces = sum(r["total"] for r in by_day.values())
    return [
        grouped_bars(
            key="jobs",
            title=_("Recognition jobs per day"),
            desc=_("%(jobs)d jobs in the last %(days)d days.")
            % {"jobs": sum(counts), "days": DAYS},
            categories=[_label(d) for d in days],
            series=[_("jobs")],
            values=[counts],
        ),
        grouped_bars(
            key="rates",
            title=_("Faces named and unknown per day"),
            desc=_(
                "Of %(faces)d faces in the last %(days)d days, the share named and the share "
                "left unknown, per day."
            )
            % {"faces": total_faces, "days": DAYS},
            categories=[_label(d) for d in days],
            series=[_("named"), _("unknown")],
            values=[named, unknown],
            unit="%",
            max_value=100,
        ),
    ]


def requests_chart(*, organization) -> Chart:
    """Data-subject requests by state, every state listed even at zero."""
    counts = dict(
        DataRequest.objects.for_org(organization)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    items = [(label, counts.get(value, 0)) for value, label in DataRequest.Status.choices]
    return horizontal_bars(
        key="requests",
        title=_("Data-subject requests by state"),
        desc=_("%(total)d requests in all.") % {"total": sum(n for _label, n in items)},
        items=items,
    )


def filing_chart(*, organization) -> Chart:
    """R35: individuals stored against the filing threshold, with the 80% and 90% marks."""
    stored, threshold = stored_individuals_count(organization=organization), filing_threshold()
    return gauge(
        key="filing",
        title=_("Individuals stored against the filing threshold"),
        desc=_(
            "%(stored)d of %(threshold)d individuals stored; warnings are raised at 80 and 90 "
            "per cent of the threshold."
        )
        % {"stored": stored, "threshold": threshold},
        value=stored,
        limit=threshold,
    )


def dashboard_charts(*, organization, user) -> list[Chart]:
    """Return the charts ``user`` may see in ``organization``."""
    today = timezone.localdate()
    charts = []
    if user.has_perm(roles.VIEW_GOVERNANCE, organization):
        charts.append(filing_chart(organization=organization))
    if user.has_perm(roles.VIEW_SUBJECTS, organization):
        charts.append(consents_chart(organization=organization, today=today))
    if user.has_perm(roles.VIEW_GOVERNANCE, organization):
        charts.extend(jobs_charts(organization=organization, today=today))
    if user.has_perm(roles.HANDLE_REQUESTS, organization):
        charts.append(requests_chart(organization=organization))
    return charts
