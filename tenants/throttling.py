"""What django-axes counts sign-in failures by: the client's address and the account's name.

The address is the one the audit trail records (portal.middleware: X-Forwarded-For only behind a
trusted proxy); the name is lower-cased, as account names are, so "Owner@x" and "owner@x" share
one count.
"""


def client_ip(request) -> str | None:
    """Return the address RequestIdMiddleware resolved, or REMOTE_ADDR before it ran."""
    return getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR") or None


def username(request, credentials) -> str | None:
    """Return the account name a sign-in attempt named, lower-cased and trimmed."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username")
    return (name or "").strip().lower() or None
