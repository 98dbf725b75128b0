"""Consent's own member of the ApplicationError family (tenants.errors)."""

from tenants.errors import ApplicationError


class Throttled(ApplicationError):
    """Too many sign-in attempts from one address or one network location."""

    status = 429
    code = "throttled"


class SignInLinkExpired(ApplicationError):
    """A /me/ sign-in link past its 30 minutes: gone, as an expired download is (410)."""

    status = 410
    code = "link_expired"
