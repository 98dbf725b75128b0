"""One error format for the whole API: ``{"code": ..., "message": ..., "details": ...}``."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from tenants.errors import ApplicationError


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = _first_message(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def error_body(code: str, message: str, details=None) -> dict:
    return {"code": code, "message": message, "details": details}


def exception_handler(exc, context):
    """Map domain errors and DRF's own to the one error format; leave the rest to Django."""
    if isinstance(exc, ApplicationError):
        # A refusal that will pass by itself (a busy organization, 429) says when to come back.
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(
            error_body(exc.code, exc.message, exc.details), status=exc.status, headers=headers
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", f"Invalid input: {_first_message(exc.detail)}", exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        # portal.api.throttling.RateLimited names the limit; any other throttle at least the wait.
        details = getattr(exc, "details", None) or {
            "scope": None,
            "limit": None,
            "retry_after": exc.wait,
        }
        body = error_body("rate_limited", str(exc.detail), details)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body = error_body(code, str(exc.detail), None)
    return Response(body, status=exc.status_code, headers=headers)


def server_error(request, *args, **kwargs):
    """A 500 for API clients in the same format (the panel keeps Django's page)."""
    return JsonResponse(
        error_body("server_error", "The server failed to handle this request.", None),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def not_found(request, *args, **kwargs):
    """A 404 for API paths that match no route, in the same format."""
    return JsonResponse(
        error_body("not_found", f"No API route matches {request.path}.", None),
        status=status.HTTP_404_NOT_FOUND,
    )
