"""/metrics: the portal's state in Prometheus' text format, read from the database at scrape time.

Gunicorn runs several worker processes and Celery more: counters kept in one process's memory
would each tell a part, and a scrape reaches one process at random. So every figure here is read
from the database when Prometheus scrapes (prometheus_client's custom collector), the one place
all processes write to, and any process answers with the whole truth. The figures are counts
across all organizations, never per organization (no tenant names, no unbounded labels).
"""

import hmac
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from consent.models import Consent
from dsr.models import DataRequest
from outbox.models import OutboxEvent
from portal.health import platform_staff
from portal.purge_backlog import purge_backlog
from recognition.models import Enrollment, RecognitionJob

# Job durations (start to finish) over this window make the histogram: a moving picture of
# recent work rather than a total since installation.
DURATION_WINDOW = timedelta(hours=24)
DURATION_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 900)


def _by(queryset, field: str) -> dict:
    return dict(
        queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n")
    )


def _states(name: str, doc: str, label: str, counts: dict, choices) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    # Every state is exported, zero included, so a series never vanishes from a dashboard.
    for value, _label in choices:
        family.add_metric([value], counts.get(value, 0))
    return family


class PortalCollector:
    """Collect the portal's figures from the database on each scrape."""

    def collect(self):
        jobs = RecognitionJob.objects.all()
        yield _states(
            "portal_recognition_jobs",
            "Recognition jobs by status.",
            "status",
            _by(jobs, "status"),
            RecognitionJob.Status.choices,
        )
        yield _states(
            "portal_enrollments",
            "Enrollments by status.",
            "status",
            _by(Enrollment.objects.all(), "status"),
            Enrollment.Status.choices,
        )
        yield self._durations(jobs)
        yield from self._queues()
        yield _states(
            "portal_consents",
            "Consents by state.",
            "state",
            _by(Consent.objects.all(), "state"),
            Consent.State.choices,
        )
        yield _states(
            "portal_data_requests",
            "Data-subject requests by status.",
            "status",
            _by(DataRequest.objects.all(), "status"),
            DataRequest.Status.choices,
        )
        now = timezone.now()
        overdue = DataRequest.objects.open().filter(due_at__lte=now).count()
        yield GaugeMetricFamily(
            "portal_data_requests_overdue",
            "Open data-subject requests past their deadline.",
            value=overdue,
        )
        yield from self._purges(now)

    def _durations(self, jobs) -> HistogramMetricFamily:
        since = timezone.now() - DURATION_WINDOW
        finished = jobs.filter(
            finished_at__gte=since, started_at__isnull=False, finished_at__isnull=False
        ).annotate(
            took=ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
        )
        counts = finished.aggregate(
            total=Count("pk"),
            **{
                f"le_{b}": Count("pk", filter=Q(took__lte=timedelta(seconds=b)))
                for b in DURATION_BUCKETS
            },
        )
        seconds = sum((j.total_seconds() for j in finished.values_list("took", flat=True)), 0.0)
        buckets = [(str(float(b)), counts[f"le_{b}"]) for b in DURATION_BUCKETS]
        buckets.append(("+Inf", counts["total"]))
        return HistogramMetricFamily(
            "portal_recognition_job_duration_seconds",
            "Start-to-finish time of the recognition jobs finished in the last 24 hours.",
            buckets=buckets,
            sum_value=seconds,
        )

    def _queues(self):
        depth = GaugeMetricFamily(
            "portal_queue_depth", "Work waiting for a worker, by kind.", labels=["kind"]
        )
        depth.add_metric(
            ["job"], RecognitionJob.objects.filter(status=RecognitionJob.Status.QUEUED).count()
        )
        depth.add_metric(
            ["enrollment"], Enrollment.objects.filter(status=Enrollment.Status.QUEUED).count()
        )
        yield depth
        pending = GaugeMetricFamily(
            "portal_outbox_pending",
            "Domain events whose reactions are not done yet, by topic.",
            labels=["topic"],
        )
        for topic, n in sorted(
            _by(OutboxEvent.objects.filter(done_at__isnull=True), "topic").items()
        ):
            pending.add_metric([topic], n)
        yield pending

    def _purges(self, now):
        owed = purge_backlog()
        counts = owed.aggregate(n=Count("pk"), oldest=Min("created_at"))
        yield GaugeMetricFamily(
            "portal_purge_backlog",
            "Template deletions owed after a withdrawal, expiry, erasure or storage move.",
            value=counts["n"],
        )
        age = (now - counts["oldest"]).total_seconds() if counts["oldest"] else 0
        yield GaugeMetricFamily(
            "portal_purge_backlog_oldest_seconds",
            "Age of the oldest owed template deletion (0 when none is owed).",
            value=age,
        )


_registry = CollectorRegistry(auto_describe=False)
_registry.register(PortalCollector())


def _allowed(request) -> bool:
    """A bearer token from settings, or signed-in platform staff who gave their second factor.

    Not public: the counts describe every organization's activity (how many people consent,
    withdraw, ask for their data), which is nobody's business but the platform's. A token
    because Prometheus scrapes without a session; compared in constant time.
    """
    token = settings.METRICS_BEARER_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[len("Bearer ") :].encode(), token.encode())
    return platform_staff(request)


def metrics(request):
    """Answer the scrape, or 401 (with the scheme) to anyone not allowed."""
    if not _allowed(request):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry), content_type=CONTENT_TYPE_LATEST)
