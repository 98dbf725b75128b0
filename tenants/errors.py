"""The one family of domain errors. Services raise them; the API and the panel map them once.

Every higher app raises these (or subclasses) so that ``portal.api.errors`` turns each into
``{"code", "message", "details"}`` with its status, and the panel into a form error.
"""


class ApplicationError(Exception):
    """A request the domain refuses, with a stable code and a sentence for people."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class Forbidden(ApplicationError):
    status = 403
    code = "forbidden"


class Conflict(ApplicationError):
    status = 409
    code = "conflict"


class RuleViolation(ApplicationError):
    """One or more regulatory rules are unmet; ``details`` lists each with how to meet it."""

    status = 422
    code = "rules_unmet"
