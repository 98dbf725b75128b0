"""Safe retries of the API's creating requests: the ``Idempotency-Key`` header (issue 18).

A view marks each creating action with ``@idempotent``. A request that carries the header is
answered once: the first answer (status, body, ``Location``) is kept for a day and a retry with
the same key gets it again, with ``Idempotent-Replayed: true``, and creates nothing. The same
key with another request is a 422 (``idempotency_key_reused``).

A duplicate that arrives while the first is still running is answered 409
(``idempotency_key_in_progress``) with ``Retry-After: 1``, not held until the first ends: web
processes are few (two workers of four threads, Procfile), an upload can run for seconds, and
a client that retries on a timeout would otherwise tie up a second thread waiting for the
first. The client asks again a second later and gets the answer.

Only successful answers are kept. A refusal (4xx) or a failure created nothing, so the claim is
let go and a retry with the same key runs again: a consent recorded in between lets the
retried enrollment through. The work and its kept answer commit in one transaction.

Runs after authentication, permissions, rate limits and the upload slot (the view's
``initial``), so a replay is counted and checked as any request is. Requests without the header
behave as before.
"""

import functools
import hashlib
import json

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from tenants.errors import ApplicationError
from tenants.principals import request_api_key
from tenants.scoping import request_organization
from tenants.services.idempotency import (
    idempotency_claim,
    idempotency_complete,
    idempotency_release,
)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_LENGTH = 255
DESCRIPTION = (
    "Any unique string (a UUID is a good choice), 1-255 visible ASCII characters. A retry with "
    "the same key within 24 hours returns the first successful answer (status, body, Location, "
    "and Idempotent-Replayed: true) and creates nothing. The same key with a different request "
    "is a 422 (idempotency_key_reused); while the first request is still running, a retry is a "
    "409 (idempotency_key_in_progress) with Retry-After. Keys are scoped to the API key (or "
    "person) within the organization. A refused request keeps nothing: retry it as it is."
)


def _key_check(key: str) -> None:
    if not 1 <= len(key) <= MAX_LENGTH or not all("!" <= ch <= "~" for ch in key):
        raise ApplicationError(
            _("The Idempotency-Key header takes 1 to %(max)d visible ASCII characters.")
            % {"max": MAX_LENGTH},
            code="idempotency_key_invalid",
            details={"header": HEADER},
        )


def _caller(request) -> str:
    key = request_api_key(request)
    return f"key:{key.pk}" if key is not None else f"user:{request.user.pk}"


def request_fingerprint(request) -> str:
    """Return the SHA-256 of the request's method, path, query and body (uploads by content)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    data = request.data
    if isinstance(data, QueryDict):
        for name, values in sorted(data.lists()):
            for value in values:
                if hasattr(value, "chunks"):
                    digest.update(f"{name}=file:".encode())
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                else:
                    digest.update(f"{name}={value}".encode())
                digest.update(b"\n")
    else:
        body = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=JSONEncoder)
        digest.update(body.encode())
    return digest.hexdigest()


def _replay(record) -> Response:
    headers = {REPLAYED_HEADER: "true"}
    if record.location:
        headers["Location"] = record.location
    # json.loads keeps the keys' order, so the renderer answers the first answer's bytes.
    data = None if record.body is None else json.loads(record.body)
    return Response(data, status=record.status_code, headers=headers)


def idempotent(handler):
    """Make a view's creating action answer a repeated ``Idempotency-Key`` with its first answer.

    The schema documents the header on every action so marked (portal.api.schema).
    """

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        _key_check(key)
        claim = idempotency_claim(
            organization=request_organization(request),
            caller=_caller(request),
            key=key,
            fingerprint=request_fingerprint(request),
            path=request.path,
        )
        if claim.replay:
            return _replay(claim.record)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    body = (
                        None
                        if response.data is None
                        else json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False)
                    )
                    idempotency_complete(
                        record=claim.record,
                        status_code=response.status_code,
                        body=body,
                        location=response.get("Location", ""),
                    )
                    return response
        except BaseException:
            idempotency_release(record=claim.record)
            raise
        idempotency_release(record=claim.record)
        return response

    wrapper.idempotent = True
    return wrapper
