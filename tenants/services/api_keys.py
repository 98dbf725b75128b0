"""API keys: secrets for operators' systems, each acting through its own service user."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from tenants.errors import ApplicationError, Conflict
from tenants.models import ApiKey, Membership, Organization
from tenants.principal_cache import principals_changed
from tenants.services.roles import role_check

User = get_user_model()


@transaction.atomic
def api_key_create(
    *,
    organization: Organization,
    actor: Actor,
    name: str,
    role: str,
    scope: str = ApiKey.Scope.API,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is shown this once and never stored.

    ``scope`` says which API accepts it (ApiKey.Scope): a CompreFace-compatible key is made by
    recognition's ``compreface_key_create``, which binds it to a deployment and a purpose.
    """
    role_check(role)
    name = name.strip()
    if not name:
        raise ApplicationError("An API key needs a name.", code="invalid")
    prefix = secrets.token_hex(ApiKey.PREFIX_LENGTH // 2)
    secret = f"fcp_{prefix}_{secrets.token_urlsafe(32)}"
    service_user = User(username=f"apikey-{prefix}", first_name=name[:150])
    service_user.set_unusable_password()
    service_user.save()
    Membership.objects.create(organization=organization, user=service_user, role=role)
    key = ApiKey.objects.create(
        organization=organization,
        name=name,
        role=role,
        scope=scope,
        prefix=prefix,
        key_hash=ApiKey.hash_secret(secret),
        user=service_user,
        created_by_id=actor.user_id if actor.kind == Actor.USER else None,
    )
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="api_key.created",
        target_type="api_key",
        target_id=key.pk,
        details={"name": name, "role": role, "prefix": prefix, "scope": scope},
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: Actor) -> ApiKey:
    """Revoke a key at once: the next request with it is refused. Raise Conflict if revoked."""
    key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if key.revoked_at is not None:
        raise Conflict("This API key was already revoked.", code="already_revoked")
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    User.objects.filter(pk=key.user_id).update(is_active=False)
    principals_changed()  # the bulk update above sends no signal
    audit_record(
        organization_id=key.organization_id,
        actor=actor,
        action="api_key.revoked",
        target_type="api_key",
        target_id=key.pk,
        details={"prefix": key.prefix},
    )
    return key
