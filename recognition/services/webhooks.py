"""Signed webhooks: one endpoint per organization, HMAC-SHA256, delivered by a task with retries.

The body names no person: it says which job ended and how; the receiver fetches results over
the authenticated API. Signature header: ``X-FaceConsent-Signature: t=<unix>,v1=<hex>`` where
v1 = HMAC-SHA256(secret, "<t>.<body>"), so a captured request cannot be replayed much later.
"""

import hashlib
import hmac
import json
import secrets
import ssl
import time

from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from recognition import crypto, outbound
from recognition.enqueue import task_enqueue
from recognition.models import RecognitionJob, WebhookDelivery, WebhookEndpoint
from recognition.services.keys import organization_key, webhook_secret_aad

SIGNATURE_HEADER = "X-FaceConsent-Signature"
TIMEOUT_SECONDS = 10


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """Return the signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signature_valid(secret: bytes, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """Return True when ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


@transaction.atomic
def webhook_endpoint_set(*, organization, url: str, actor: Actor) -> tuple[WebhookEndpoint, str]:
    """Set the organization's endpoint with a new secret; return it and the secret (shown once).

    Raise OutboundRefused (400, naming ``url``) for an address the portal may not call: not
    https, or resolving to a private, loopback, link-local or otherwise non-public address.
    """
    outbound.check_url(url, field="url")
    secret = secrets.token_urlsafe(32)
    _row, org_key = organization_key(organization_id=organization.pk)
    sealed = crypto.encrypt(org_key, secret.encode(), aad=webhook_secret_aad(organization.pk))
    endpoint, _ = WebhookEndpoint.objects.update_or_create(
        organization=organization,
        defaults={"url": url, "secret_encrypted": sealed, "active": True},
    )
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="recognition.webhook_set",
        target_type="webhook_endpoint",
        target_id=endpoint.pk,
        details={"url": url},
    )
    return endpoint, secret


def webhook_secret(*, endpoint: WebhookEndpoint) -> bytes:
    _row, org_key = organization_key(organization_id=endpoint.organization_id)
    return crypto.decrypt(
        org_key, bytes(endpoint.secret_encrypted), aad=webhook_secret_aad(endpoint.organization_id)
    )


def webhook_job_finished(*, job: RecognitionJob) -> WebhookDelivery | None:
    """Queue the job-ended event for the organization's endpoint (none: nothing to do)."""
    endpoint = WebhookEndpoint.objects.filter(
        organization_id=job.organization_id, active=True
    ).first()
    if endpoint is None:
        return None
    payload = {
        "event": "recognition_job.finished",
        "job": str(job.public_id),
        "status": job.status,
        "mode": job.mode,
        "deployment_id": job.deployment_id,
        "purpose_id": job.purpose_id,
        "images": job.images_total,
        "faces": job.faces_found,
        "matches": job.matches,
        "needs_review": job.needs_review,
        "error_code": job.error_code,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
    delivery = WebhookDelivery.objects.create(
        organization_id=job.organization_id,
        endpoint=endpoint,
        job=job,
        event=payload["event"],
        payload=payload,
    )
    transaction.on_commit(
        lambda: task_enqueue("recognition.deliver_webhook", delivery.organization_id, delivery.pk)
    )
    return delivery


class DeliveryFailed(Exception):
    """The endpoint did not answer 2xx; the task retries."""


def webhook_deliver(*, delivery: WebhookDelivery, final_attempt: bool = False) -> WebhookDelivery:
    """POST the delivery's payload, signed; record the attempt. Raise DeliveryFailed to retry."""
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        return delivery
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    header = sign(webhook_secret(endpoint=endpoint), int(time.time()), body)
    delivery.attempts += 1
    error, status = "", None
    try:
        # Checked again at each delivery: the name may resolve elsewhere now (DNS rebinding),
        # so the POST goes to the address just checked, and no redirect is followed.
        target = outbound.check_url(endpoint.url, field="url")
        status = outbound.post(
            target,
            body=body,
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: header},
            timeout=TIMEOUT_SECONDS,
        )
        if not 200 <= status < 300:
            error = f"HTTP {status}"
            if 300 <= status < 400:
                error += " (redirects are not followed)"
    except outbound.OutboundRefused as exc:
        error = exc.message[:300]
    except (OSError, ssl.SSLError) as exc:
        error = str(exc)[:300] or exc.__class__.__name__
    delivery.response_status = status
    delivery.last_error = error
    if status is not None and 200 <= status < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
    elif final_attempt:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise DeliveryFailed(error or f"HTTP {status}")
    return delivery
