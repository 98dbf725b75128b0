"""CompreFace's error body, ``{"message": ..., "code": <int>}``, for every refusal here.

CompreFace's clients read ``code`` as one of its own numbers (its ``CommonExceptionCode``), so
the portal's refusals keep those numbers where the condition is the same and add two of their
own; ``reason`` carries the portal's stable code and ``rule`` the regulation that refuses.
The HTTP status is the portal API's own for the same condition (one status per condition).
"""

import re

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from recognition.errors import ImageRefused
from tenants.errors import ApplicationError, RuleViolation

# CompreFace's numbers (CommonExceptionCode, CrudExceptionCode).
UNDEFINED = 0
APP_ACCESS_DENIED = 1
MODEL_NOT_FOUND = 10
IMAGE_NOT_FOUND = 11
MISSING_REQUEST_HEADER = 20
UNAVAILABLE_FILE_EXTENSION = 21
VALIDATION_CONSTRAINT_VIOLATION = 26
NO_FACES_FOUND = 28
TOO_MANY_FACES = 31
MISSING_REQUEST_PARAMETER = 33
FACES_SERVICE_EXCEPTION = 41
# The portal's own, in a range CompreFace does not use: a regulation refuses the operation,
# and the work was accepted but is not finished within the wait (see views.wait_finished).
REFUSED_BY_RULE = 40
STILL_PROCESSING = 42

_BY_REASON = {
    "no_face": NO_FACES_FOUND,
    "several_faces": TOO_MANY_FACES,
    "face_too_small": NO_FACES_FOUND,
    "not_found": IMAGE_NOT_FOUND,
    "subject_not_found": IMAGE_NOT_FOUND,
}
_RULE = re.compile(r"\b(R\d{1,3})\b")


class CompreFaceError(Exception):
    """A refusal answered in CompreFace's shape; ``reason`` is the portal's stable code."""

    def __init__(
        self,
        message: str,
        *,
        code: int,
        status: int = 400,
        reason: str = "",
        rule: str = "",
        headers: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.message, self.code, self.status = message, code, status
        self.reason, self.rule = reason, rule
        self.headers, self.extra = headers, extra or {}

    def body(self) -> dict:
        body = {"message": self.message, "code": self.code}
        if self.reason:
            body["reason"] = self.reason
        if self.rule:
            body["rule"] = self.rule
        return body | self.extra


def rule_of(exc: ApplicationError) -> str:
    """Return the regulation an ApplicationError names (its details, else its message)."""
    details = exc.details
    if isinstance(details, list):
        for item in details:
            if isinstance(item, dict) and str(item.get("rule", "")).startswith("R"):
                return str(item["rule"])
    found = _RULE.search(exc.message or "")
    return found.group(1) if found else ""


def from_application_error(exc: ApplicationError) -> CompreFaceError:
    """Translate a domain refusal: same status and sentence, CompreFace's number."""
    if exc.code in _BY_REASON:
        code = _BY_REASON[exc.code]
    elif isinstance(exc, ImageRefused):
        code = UNAVAILABLE_FILE_EXTENSION
    elif isinstance(exc, RuleViolation) or exc.status == 422:
        code = REFUSED_BY_RULE
    elif exc.status == 403:
        code = APP_ACCESS_DENIED
    else:
        code = UNDEFINED
    retry_after = getattr(exc, "retry_after", None)
    return CompreFaceError(
        exc.message,
        code=code,
        status=exc.status,
        reason=exc.code,
        rule=rule_of(exc),
        headers={"Retry-After": str(retry_after)} if retry_after else None,
    )


def exception_handler(exc, context):
    """The compatible API's one exception handler (views set it): every refusal in one shape."""
    if isinstance(exc, ApplicationError):
        exc = from_application_error(exc)
    elif isinstance(exc, exceptions.NotAuthenticated):
        exc = CompreFaceError(
            _("Missing header: x-api-key"),
            code=MISSING_REQUEST_HEADER,
            status=401,
            reason="not_authenticated",
        )
    elif isinstance(exc, exceptions.AuthenticationFailed):
        exc = CompreFaceError(
            str(exc.detail), code=MODEL_NOT_FOUND, status=401, reason="authentication_failed"
        )
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        exc = CompreFaceError(
            str(exc.detail),
            code=UNDEFINED,
            status=429,
            reason="rate_limited",
            headers={"Retry-After": str(max(1, wait))},
        )
    elif isinstance(exc, exceptions.ValidationError | exceptions.ParseError):
        exc = CompreFaceError(
            str(exc.detail), code=VALIDATION_CONSTRAINT_VIOLATION, reason="invalid"
        )
    elif isinstance(exc, exceptions.PermissionDenied):
        exc = CompreFaceError(
            str(exc.detail), code=APP_ACCESS_DENIED, status=403, reason="forbidden"
        )
    elif isinstance(exc, exceptions.NotFound):
        exc = CompreFaceError(str(exc.detail), code=UNDEFINED, status=404, reason="not_found")
    elif isinstance(exc, exceptions.APIException):
        exc = CompreFaceError(
            str(exc.detail), code=UNDEFINED, status=exc.status_code, reason=exc.default_code
        )
    if not isinstance(exc, CompreFaceError):
        return None
    return Response(exc.body(), status=exc.status, headers=exc.headers)
