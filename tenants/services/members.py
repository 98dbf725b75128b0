"""Memberships: who holds which role in an organization.

People join only by accepting an invitation (tenants.services.invitations) or by being the first
owner of an organization that the site's operator creates; no organization adds an account it
does not own. Every change is also recorded in the person's other organizations.
"""

from django.db import IntegrityError, transaction

from audit.actors import Actor
from audit.services import audit_record
from tenants.errors import Conflict
from tenants.models import ApiKey, Membership, Organization
from tenants.principal_cache import principals_changed
from tenants.roles import Role
from tenants.selectors import owner_count
from tenants.services.accounts import account_audit
from tenants.services.api_keys import api_key_revoke
from tenants.services.roles import role_check


@transaction.atomic
def membership_add(*, organization: Organization, actor: Actor, user, role: str) -> Membership:
    """Give ``user`` a role. Raise Conflict when they are already a member.

    Callers are the invitation the person accepted and the site operator's commands, never an
    organization's request on someone else's behalf.
    """
    role_check(role)
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
    account_audit(
        user=user,
        actor=actor,
        action="account.joined_organization",
        details={"organization": organization.slug, "role": role},
        skip_organization_id=organization.pk,
    )
    return membership


def _lock_owners(organization: Organization) -> None:
    # Two owners demoting each other at once must not leave the organization with none.
    list(Membership.objects.select_for_update().filter(organization=organization, role=Role.OWNER))


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: Actor, role: str) -> Membership:
    """Change a member's role. Raise Conflict when it would leave no owner.

    An API key's service user carries its key's role, so the key follows the change.
    """
    role_check(role)
    if membership.role == role:
        return membership
    _lock_owners(membership.organization)
    if membership.role == Role.OWNER and owner_count(organization=membership.organization) <= 1:
        raise Conflict("The organization's last owner cannot be demoted.", code="last_owner")
    previous, membership.role = membership.role, role
    membership.save(update_fields=["role"])
    ApiKey.objects.filter(user_id=membership.user_id).update(role=role)
    principals_changed()  # the bulk update above sends no signal
    audit_record(
        organization_id=membership.organization_id,
        actor=actor,
        action="membership.role_changed",
        target_type="membership",
        target_id=membership.pk,
        details={"user_id": membership.user_id, "from": previous, "to": role},
    )
    account_audit(
        user=membership.user,
        actor=actor,
        action="account.role_changed_elsewhere",
        details={"organization": membership.organization.slug, "from": previous, "to": role},
        skip_organization_id=membership.organization_id,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Actor) -> None:
    """Remove a member. Raise Conflict for the last owner.

    Removing an API key's service user revokes the key in the same transaction: a key whose
    membership is gone must not stay "active" and answer 403 forever.
    """
    _lock_owners(membership.organization)
    if membership.role == Role.OWNER and owner_count(organization=membership.organization) <= 1:
        raise Conflict("The organization's last owner cannot be removed.", code="last_owner")
    key = ApiKey.objects.active().filter(user_id=membership.user_id).first()
    if key is not None:
        api_key_revoke(api_key=key, actor=actor)
    audit_record(
        organization_id=membership.organization_id,
        actor=actor,
        action="membership.removed",
        target_type="membership",
        target_id=membership.pk,
        details={"user_id": membership.user_id, "role": membership.role},
    )
    organization = membership.organization
    membership.delete()
    account_audit(
        user=membership.user,
        actor=actor,
        action="account.left_organization",
        details={"organization": organization.slug},
    )
