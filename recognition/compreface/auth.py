"""``x-api-key``: a CompreFace client's key, accepted only on this API and only when bound."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from tenants.models import ApiKey

_LAST_USED_PRECISION = timedelta(seconds=60)
HEADER = "x-api-key"


class CompreFaceKeyAuthentication(authentication.BaseAuthentication):
    """Authenticate by ``x-api-key`` as CompreFace does; a key of another scope is refused.

    The request then acts as the key (``request.auth`` is the ApiKey), so the organization,
    the audit trail's actor and the rate limits are the REST API's own (tenants.scoping).
    """

    def authenticate(self, request):
        secret = request.headers.get(HEADER, "").strip()
        if not secret:
            return None
        key = (
            ApiKey.objects.select_related(
                "user",
                "organization",
                "compreface_binding__deployment",
                "compreface_binding__purpose",
            )
            .filter(key_hash=ApiKey.hash_secret(secret))
            .first()
        )
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown API key."))
        if not key.is_active or not key.user.is_active:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        if key.scope != ApiKey.Scope.COMPREFACE or not hasattr(key, "compreface_binding"):
            # R33: a REST API key is not a CompreFace key; it has no collection to act on.
            raise exceptions.AuthenticationFailed(
                _(
                    "This key is not a CompreFace-compatible key: create one bound to a "
                    "deployment and purpose on the API keys page."
                )
            )
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > _LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return key.user, key

    def authenticate_header(self, request):
        return HEADER
