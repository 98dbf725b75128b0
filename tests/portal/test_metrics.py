"""/metrics in Prometheus' format, read from the database; and logs that carry the request id."""

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from audit.models import AuditEvent
from outbox.models import OutboxEvent
from portal.logs import JsonFormatter, RequestIdFilter
from recognition.models import RecognitionJob
from tests.consent.conftest import cw  # noqa: F401 - the consent world fixture
from tests.factories import DataRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_BEARER_TOKEN = TOKEN

    def read() -> dict:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=")
        samples = {}
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    return read


def test_metrics_refuse_anonymous_a_wrong_token_and_organization_staff(
    client, world, panel_as, settings
):
    settings.METRICS_BEARER_TOKEN = TOKEN
    response = client.get("/metrics")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    # An organization's owner is not platform staff: the counts cover every organization.
    assert panel_as(world.owner).get("/metrics").status_code == 401


def test_without_a_token_platform_staff_may_read_them(client, settings):
    settings.METRICS_BEARER_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401
    client.force_login(UserFactory(username="ops@platform.test", is_staff=True))
    assert client.get("/metrics").status_code == 200


def test_consents_requests_jobs_queue_and_purge_backlog_are_counted(world, cw, scrape):  # noqa: F811
    cw.grant()
    DataRequestFactory(subject=cw.subject)
    DataRequestFactory(subject=cw.subject, due_at=timezone.now() - timedelta(days=1))
    now = timezone.now()
    job = {
        "organization": world.org,
        "deployment": cw.deployment,
        "purpose": cw.purpose,
        "purpose_version": cw.version,
        "match_threshold": 0.5,
        "actor_type": "system",
        "mode": "identify",
    }
    RecognitionJob.objects.create(**job)  # queued
    RecognitionJob.objects.create(
        **job, status="succeeded", started_at=now - timedelta(seconds=3), finished_at=now
    )
    OutboxEvent.objects.create(
        topic="consent.withdrawn", organization_id=world.org.pk, created_at=now
    )
    m = scrape()
    assert m[("portal_consents", (("state", "active"),))] == 1
    assert m[("portal_consents", (("state", "withdrawn"),))] == 0
    assert m[("portal_data_requests", (("status", "identity_verified"),))] == 2
    assert m[("portal_data_requests_overdue", ())] == 1
    assert m[("portal_recognition_jobs", (("status", "queued"),))] == 1
    assert m[("portal_recognition_jobs", (("status", "succeeded"),))] == 1
    assert m[("portal_queue_depth", (("kind", "job"),))] == 1
    assert m[("portal_recognition_job_duration_seconds_bucket", (("le", "2.0"),))] == 0
    assert m[("portal_recognition_job_duration_seconds_bucket", (("le", "5.0"),))] == 1
    assert m[("portal_recognition_job_duration_seconds_count", ())] == 1
    assert m[("portal_recognition_job_duration_seconds_sum", ())] == pytest.approx(3)
    assert m[("portal_purge_backlog", ())] == 1
    assert m[("portal_outbox_pending", (("topic", "consent.withdrawn"),))] >= 1


def test_every_response_carries_a_request_id_that_its_audit_events_carry(world, panel_as):
    client = panel_as(world.owner)
    response = client.get("/o/acme/subjects/", HTTP_X_REQUEST_ID="trace-abc.123")
    assert response["X-Request-ID"] == "trace-abc.123"
    # A malformed id is replaced, never echoed.
    assert client.get("/o/acme/", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"
    client.get("/o/acme/subjects/?export=csv", HTTP_X_REQUEST_ID="trace-export-1")
    event = AuditEvent.objects.get(action="subjects.exported")
    assert event.request_id == "trace-export-1"


def test_log_lines_are_json_with_the_request_id(world, panel_as, monkeypatch):
    seen = []

    def view_logs(request):
        logging.getLogger("portal.test").warning("listing shown", extra={"rows": 3})
        from django.http import HttpResponse

        return HttpResponse("ok")

    record_filter, formatter = RequestIdFilter(), JsonFormatter()

    class Capture(logging.Handler):
        def emit(self, record):
            record_filter.filter(record)
            seen.append(json.loads(formatter.format(record)))

    handler = Capture()
    logging.getLogger("portal.test").addHandler(handler)
    try:
        from django.test import RequestFactory

        from portal.middleware import RequestIdMiddleware

        request = RequestFactory().get("/", HTTP_X_REQUEST_ID="trace-log-7")
        response = RequestIdMiddleware(view_logs)(request)
    finally:
        logging.getLogger("portal.test").removeHandler(handler)
    assert response["X-Request-ID"] == "trace-log-7"
    assert seen == [
        {
            "time": seen[0]["time"],
            "level": "WARNING",
            "logger": "portal.test",
            "message": "listing shown",
            "request_id": "trace-log-7",
            "rows": 3,
        }
    ]
