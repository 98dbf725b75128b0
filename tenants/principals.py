"""Turning a request into the organization it acts for and the actor the audit trail names."""

from audit.actors import Actor
from tenants.models import ApiKey, Organization


def request_api_key(request) -> ApiKey | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None


def actor_for(request) -> Actor:
    """Return the Actor for an authenticated staff request (user or API key)."""
    request_id = getattr(request, "request_id", "")
    ip = getattr(request, "client_ip", None)
    key = request_api_key(request)
    user = getattr(request, "user", None)
    if key is not None:
        return Actor(
            Actor.API_KEY, str(key.pk), f"{key.name} ({key.prefix})", request_id, ip, user.pk
        )
    if user is not None and user.is_authenticated:
        return Actor(
            Actor.USER, str(user.pk), user.email or user.get_username(), request_id, ip, user.pk
        )
    return Actor(Actor.SYSTEM, "", "anonymous", request_id, ip)


def organizations_for(request):
    """Return the organizations the request may act for: an API key's own, or the user's."""
    key = request_api_key(request)
    if key is not None:
        return Organization.objects.filter(pk=key.organization_id)
    return Organization.objects.for_user(getattr(request, "user", None))


def principal_api_key(user) -> ApiKey | None:
    """Return the API key ``user`` is the service user of, or None for a person."""
    if user is None:
        return None
    try:
        return user.api_key
    except ApiKey.DoesNotExist:
        return None


def principal_label(user) -> str:
    """Return how records name who acted: a person's e-mail, or an API key's name and prefix
    with the member who created it (a key's service user has no e-mail of its own)."""
    if user is None:
        return ""
    key = principal_api_key(user)
    if key is None:
        return user.email or user.get_username()
    creator = key.created_by.email if key.created_by else ""
    label = f"API key {key.name} ({key.prefix})"
    return f"{label} for {creator}" if creator else label
