"""The API's rate limits: route classes, the limits in force for an organization, and the check
of the overrides an owner may store on it (``Organization.rate_limits``).

A limit is a number of requests per ``API_RATE_WINDOW_SECONDS``, for one route class, counted
twice: per caller (an API key, a signed-in person, or the address of an anonymous caller) and per
organization, so that many keys of one organization cannot together take what the limit of one
organization is there to bound. The defaults are settings (``API_RATE_LIMITS``); an owner may
lower them, or raise them up to the operator's ceilings (``API_RATE_LIMIT_CEILINGS``), since the
ceilings, not the owner, protect the other organizations on the same servers.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from tenants.errors import ApplicationError

# read: GET and HEAD; write: any other method; upload: photos sent for enrollment or recognition,
# whose cost is the worker's decoding and matching rather than the request itself.
READ, WRITE, UPLOAD = "read", "write", "upload"
ROUTE_CLASSES = (READ, WRITE, UPLOAD)
# Who a count belongs to: the caller, or the caller's organization.
KEY, ORGANIZATION = "key", "organization"
SCOPES = (KEY, ORGANIZATION)


def rate_limit_default(route_class: str, scope: str) -> int:
    """Return the limit the settings give ``route_class`` for ``scope``."""
    return int(settings.API_RATE_LIMITS[route_class][scope])


def rate_limit_ceiling(route_class: str, scope: str) -> int:
    """Return the highest limit an organization may set itself for ``route_class``/``scope``."""
    return int(settings.API_RATE_LIMIT_CEILINGS[route_class][scope])


def rate_limit_for(organization, route_class: str, scope: str) -> int:
    """Return the limit in force: the organization's override where it stored one, else the
    default. ``organization`` may be None (an anonymous caller): the default then."""
    overrides = getattr(organization, "rate_limits", None) or {}
    value = (overrides.get(route_class) or {}).get(scope)
    return int(value) if value else rate_limit_default(route_class, scope)


def rate_limits_in_force(organization) -> dict:
    """Return every limit in force for the organization: {route class: {scope: limit}}."""
    return {
        route_class: {scope: rate_limit_for(organization, route_class, scope) for scope in SCOPES}
        for route_class in ROUTE_CLASSES
    }


def rate_limits_clean(value) -> dict:
    """Return the overrides as stored ({route class: {scope: positive int}}), empty classes left
    out; raise ApplicationError (code ``invalid_rate_limits``) naming every field at fault.

    Absent or null means "the default". A limit must be a whole number of at least 1 and at most
    the operator's ceiling for its class and scope.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid({"rate_limits": [_("Expected an object keyed by route class.")]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, dict[str, int]] = {}
    for route_class, limits in value.items():
        if route_class not in ROUTE_CLASSES:
            errors[str(route_class)] = [
                _("Unknown route class; expected one of: %(classes)s.")
                % {"classes": ", ".join(ROUTE_CLASSES)}
            ]
            continue
        if limits is None:
            continue
        if not isinstance(limits, dict):
            errors[route_class] = [_("Expected an object with key and organization.")]
            continue
        for scope, limit in limits.items():
            field = f"{route_class}.{scope}"
            if scope not in SCOPES:
                errors[field] = [
                    _("Unknown scope; expected one of: %(scopes)s.") % {"scopes": ", ".join(SCOPES)}
                ]
                continue
            if limit is None:
                continue
            ceiling = rate_limit_ceiling(route_class, scope)
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                errors[field] = [_("Expected a whole number of requests, at least 1.")]
            elif limit > ceiling:
                errors[field] = [
                    _("At most %(ceiling)d requests per %(window)d s may be set here.")
                    % {"ceiling": ceiling, "window": settings.API_RATE_WINDOW_SECONDS}
                ]
            else:
                cleaned.setdefault(route_class, {})[scope] = limit
    if errors:
        raise _invalid(errors)
    return cleaned


def _invalid(errors: dict) -> ApplicationError:
    first, lines = next(iter(errors.items()))
    return ApplicationError(
        _("Rate limits: %(field)s: %(error)s") % {"field": first, "error": lines[0]},
        code="invalid_rate_limits",
        details=errors,
    )
