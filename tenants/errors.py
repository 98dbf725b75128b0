"""The one family of domain errors. Services raise them; the API and the panel map them once.

Every higher app raises these (or subclasses) so that ``portal.api.errors`` turns each into
``{"code", "message", "details"}`` with its status, and the panel into a form error.
"""

from django.utils.translation import gettext as _


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


class UnknownReference(ApplicationError):
    """A request body names, in ``field``, objects that are not its organization's.

    Answered 400 rather than 404: the route was found, what the body refers to is invalid. The
    answer is the same for another organization's object and for one that never existed, so it
    confirms nothing about other tenants.
    """

    code = "unknown_reference"

    def __init__(self, field: str, values, *, message: str | None = None):
        shown = [str(v) for v in values]
        super().__init__(
            message
            or _("%(field)s: not found in this organization: %(values)s.")
            % {"field": field, "values": ", ".join(shown)},
            details={"field": field, "values": shown},
        )


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
