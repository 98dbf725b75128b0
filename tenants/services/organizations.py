"""Every write about organizations, members and API keys. Panel, API and commands call these."""

import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from audit.actors import Actor
from audit.services import audit_record
from tenants.errors import ApplicationError, Conflict
from tenants.models import ApiKey, Membership, Organization
from tenants.roles import Role
from tenants.selectors import owner_count

User = get_user_model()

ORGANIZATION_FIELDS = (
    "name",
    "jurisdiction",
    "unified_social_credit_code",
    "address",
    "province",
    "contact_name",
    "contact_email",
    "contact_phone",
    "pi_contact_name",
    "pi_contact_email",
)


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ApplicationError(
            f"Unknown role {role!r}: choose one of {', '.join(Role.values)}.", code="invalid_role"
        )


def user_get_or_create(*, email: str, password: str | None = None):
    """Return the user with this e-mail, creating one (login name = e-mail) when there is none."""
    email = User.objects.normalize_email(email).strip()
    if not email or "@" not in email:
        raise ApplicationError(f"{email!r} is not an e-mail address.", code="invalid_email")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email.lower(), email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def organization_create(
    *,
    name: str,
    slug: str,
    owner_email: str,
    owner_password: str | None = None,
    actor: Actor | None = None,
    **details,
) -> Organization:
    """Create an organization with its first owner. Raise Conflict when the slug is taken."""
    actor = actor or Actor.system("organization_create")
    slug = slugify(slug)
    if not name.strip() or not slug:
        raise ApplicationError("An organization needs a name and a slug.", code="invalid")
    if Organization.objects.filter(slug=slug).exists():
        raise Conflict(f"The slug {slug!r} is already taken.", code="slug_taken")
    unknown = set(details) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown organization fields: {', '.join(sorted(unknown))}.")
    organization = Organization.objects.create(name=name.strip(), slug=slug, **details)
    owner = user_get_or_create(email=owner_email, password=owner_password)
    Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="organization.created",
        target_type="organization",
        target_id=organization.pk,
        details={"slug": slug, "owner_user_id": owner.pk},
    )
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, actor: Actor, **changes) -> Organization:
    """Change the organization's details; the audit event names the fields that changed."""
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown organization fields: {', '.join(sorted(unknown))}.")
    changed = [f for f, v in changes.items() if getattr(organization, f) != v]
    if not changed:
        return organization
    for field in changed:
        setattr(organization, field, changes[field])
    organization.save(update_fields=changed)
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="organization.updated",
        target_type="organization",
        target_id=organization.pk,
        details={"fields": sorted(changed)},
    )
    return organization


@transaction.atomic
def membership_add(
    *,
    organization: Organization,
    actor: Actor,
    email: str,
    role: str,
    password: str | None = None,
) -> Membership:
    """Give a person (found or created by e-mail) a role. Raise Conflict when already a member."""
    _check_role(role)
    user = user_get_or_create(email=email, password=password)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(organization=organization, user=user, role=role)
    except IntegrityError:
        raise Conflict(f"{user.email} is already a member.", code="already_member") from None
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="membership.added",
        target_type="membership",
        target_id=membership.pk,
        details={"user_id": user.pk, "role": role},
    )
    return membership


def _lock_owners(organization: Organization) -> None:
    # Two owners demoting each other at once must not leave the organization with none.
    list(Membership.objects.select_for_update().filter(organization=organization, role=Role.OWNER))


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: Actor, role: str) -> Membership:
    """Change a member's role. Raise Conflict when it would leave no owner."""
    _check_role(role)
    if membership.role == role:
        return membership
    _lock_owners(membership.organization)
    if membership.role == Role.OWNER and owner_count(organization=membership.organization) <= 1:
        raise Conflict("The organization's last owner cannot be demoted.", code="last_owner")
    previous, membership.role = membership.role, role
    membership.save(update_fields=["role"])
    audit_record(
        organization_id=membership.organization_id,
        actor=actor,
        action="membership.role_changed",
        target_type="membership",
        target_id=membership.pk,
        details={"user_id": membership.user_id, "from": previous, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Actor) -> None:
    """Remove a member. Raise Conflict for the last owner."""
    _lock_owners(membership.organization)
    if membership.role == Role.OWNER and owner_count(organization=membership.organization) <= 1:
        raise Conflict("The organization's last owner cannot be removed.", code="last_owner")
    audit_record(
        organization_id=membership.organization_id,
        actor=actor,
        action="membership.removed",
        target_type="membership",
        target_id=membership.pk,
        details={"user_id": membership.user_id, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def api_key_create(
    *, organization: Organization, actor: Actor, name: str, role: str
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is shown this once and never stored."""
    _check_role(role)
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
        details={"name": name, "role": role, "prefix": prefix},
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
    audit_record(
        organization_id=key.organization_id,
        actor=actor,
        action="api_key.revoked",
        target_type="api_key",
        target_id=key.pk,
        details={"prefix": key.prefix},
    )
    return key
