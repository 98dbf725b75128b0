"""Signed webhooks on a local server; the retention sweep (R20, R22); review queue (R43); P4."""

import http.server
import json
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from recognition.models import FaceTemplate, RecognitionResult, WebhookDelivery
from recognition.services.enrollment import enrollment_request
from recognition.services.jobs import recognition_job_create
from recognition.services.retention import retention_sweep
from recognition.services.webhooks import (
    SIGNATURE_HEADER,
    signature_valid,
    webhook_endpoint_set,
    webhook_secret,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    """A local HTTP server on 127.0.0.1 recording each POST (no other network).

    Loopback and plain http are refused by default (recognition/outbound.py): the tests let
    127.0.0.1 through the way an operator would let an internal receiver through.
    """
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers, body))
            self.send_response(200 if len(received) > getattr(server, "fail_first", 0) else 500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received = received
    server.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield server
    server.shutdown()


@pytest.fixture
def enroll(rec, faces, cached_engine, eager, run_on_commit):
    def do(name, rec=rec, **items):
        subject = rec.subject(name)
        consent = rec.consent(subject, **items)
        run_on_commit(
            lambda: enrollment_request(
                organization=rec.org,
                deployment=rec.deployment,
                purpose=rec.purpose,
                subject=subject,
                image=faces.read(f"{name}.jpg"),
                content_type="image/jpeg",
                actor=rec.actor,
            )
        )
        return subject, consent

    return do


def _identify(rec, faces, run_on_commit, photo="two_people.jpg"):
    return run_on_commit(
        lambda: recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            mode="identify",
            images=[(faces.read(photo), "image/jpeg")],
            actor=rec.actor,
        )
    )


def test_signed_webhook_fires_when_a_job_ends_and_is_retried(
    rec, enroll, faces, run_on_commit, receiver
):
    enroll("obama")
    endpoint, secret = webhook_endpoint_set(organization=rec.org, url=receiver.url, actor=rec.actor)
    job = _identify(rec, faces, run_on_commit)

    delivery = WebhookDelivery.objects.get(job=job)
    assert delivery.status == "delivered" and delivery.attempts == 1
    headers, body = receiver.received[-1]
    assert signature_valid(secret.encode(), headers[SIGNATURE_HEADER], body)
    assert not signature_valid(b"another secret", headers[SIGNATURE_HEADER], body)
    payload = json.loads(body)
    assert payload["job"] == str(job.public_id) and payload["matches"] == 1
    assert "subject" not in body.decode()  # names no one
    assert webhook_secret(endpoint=endpoint) == secret.encode()


def test_failed_delivery_is_logged_and_raises_for_the_task_to_retry(rec, receiver):
    from recognition.models import RecognitionJob
    from recognition.services.webhooks import DeliveryFailed, webhook_deliver

    endpoint, _secret = webhook_endpoint_set(
        organization=rec.org, url=receiver.url, actor=rec.actor
    )
    delivery = WebhookDelivery.objects.create(
        organization=rec.org,
        endpoint=endpoint,
        event="recognition_job.finished",
        payload={"job": "x"},
        job=RecognitionJob.objects.first(),
    )
    receiver.fail_first = 1
    with pytest.raises(DeliveryFailed, match="500"):
        webhook_deliver(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.response_status == 500
    assert webhook_deliver(delivery=delivery).status == "delivered"
    assert delivery.attempts == 2


def test_r20_retention_sweep_deletes_expired_templates_with_an_audited_reason(rec, enroll):
    subject, _ = enroll("obama")
    FaceTemplate.objects.filter(subject=subject).update(
        retain_until=timezone.now() - timedelta(days=1)
    )
    counts = retention_sweep()
    assert counts["templates_expired"] == 1
    assert not FaceTemplate.objects.exists()
    event = AuditEvent.objects.get(action="recognition.template_deleted")
    assert event.details["reason"] == "retention_expired"
    assert event.subject_pseudonym == str(subject.pseudonym)


def test_r22_sweep_deletes_templates_whose_consents_have_all_ended(rec, enroll):
    from consent.models import Consent

    subject, consent = enroll("obama")
    # An expiry that happened without the signal (e.g. a bulk job): the sweep still catches it.
    Consent.objects.filter(pk=consent.pk).update(state="expired")
    assert retention_sweep()["templates_consent_ended"] == 1
    assert AuditEvent.objects.get(action="recognition.template_deleted").details["reason"] == (
        "consent_ended"
    )


def test_r43_significant_effect_matches_wait_for_review(world, enroll, faces, run_on_commit):
    from tests.recognition.conftest import make_rec_world

    rec = make_rec_world(world, significant_effect=True)
    enroll("obama", rec=rec)
    job = _identify(rec, faces, run_on_commit)
    statuses = {r.matched: r.review_status for r in RecognitionResult.objects.filter(job=job)}
    assert statuses == {True: "pending", False: "not_required"}


def test_r43_objection_to_automated_decisions_sends_that_persons_matches_to_review(
    rec, enroll, faces, run_on_commit
):
    obama, _ = enroll("obama")
    enroll("biden")
    obama.objects_to_automated_decisions = True
    obama.save(update_fields=["objects_to_automated_decisions"])
    job = _identify(rec, faces, run_on_commit)
    statuses = {
        str(r.subject_pseudonym): r.review_status
        for r in RecognitionResult.objects.filter(job=job, matched=True)
    }
    assert statuses[str(obama.pseudonym)] == "pending"
    assert sorted(statuses.values()) == ["not_required", "pending"]


def test_p4_withdrawal_committed_before_the_write_leaves_the_face_unknown(
    rec, enroll, faces, run_on_commit
):
    """The match is computed, then the consent is withdrawn, then results are written."""
    from recognition.services import results as results_module

    subject, consent = enroll("obama")
    original = results_module.job_results_write

    def withdraw_then_write(**kwargs):
        rec.withdraw(consent)
        return original(**kwargs)

    results_module.job_results_write = withdraw_then_write
    try:
        job = _identify(rec, faces, run_on_commit, photo="obama2.jpg")
    finally:
        results_module.job_results_write = original
    (result,) = RecognitionResult.objects.filter(job=job)
    assert result.matched is False and result.subject_pseudonym is None
