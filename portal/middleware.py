"""Request-wide plumbing: a request id for tracing and the client's address for the audit trail."""

import re
import uuid

from django.conf import settings

from portal.logs import request_id_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def client_ip(request) -> str | None:
    """Return the client's address; X-Forwarded-For is trusted only behind a known proxy."""
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    """Give each request an id (the caller's X-Request-ID when well-formed) and echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.client_ip = client_ip(request)
        # Log lines of this request carry its id, as its audit events do (portal/logs.py).
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
