"""``Authorization: Bearer <key>`` for operators' systems."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from tenants.models import ApiKey
from tenants.principal_cache import api_key_principal, principal_used

# Recording every use would turn each read into a write; a minute's precision is enough to see
# which keys are alive.
_LAST_USED_PRECISION = timedelta(seconds=60)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header:
            return None
        parts = header.split()
        if parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: expected 'Bearer <api key>'."
            )
        key_hash = ApiKey.hash_secret(parts[1])
        key = api_key_principal(
            key_hash,
            lambda: (
                ApiKey.objects.select_related("user", "organization")
                .filter(key_hash=key_hash)
                .first()
            ),
        )
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if not key.is_active or not key.user.is_active:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        if key.scope != ApiKey.Scope.API:
            # A CompreFace-compatible key works on that API only (R33: least privilege).
            raise exceptions.AuthenticationFailed(
                "This key is for the CompreFace-compatible API only (x-api-key header)."
            )
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > _LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            principal_used(key_hash, now)
        return key.user, key

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe ApiKeyAuthentication in the OpenAPI schema: an HTTP bearer token."""

    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An organization's API key."}
