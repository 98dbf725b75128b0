"""Permission backends: the role a membership carries, and per-object grants from guardian.

Views ask ``user.has_perm(perm, obj)`` and these answer; nothing else decides permissions.
"""

from guardian.backends import ObjectPermissionBackend

from tenants.roles import OBJECT_GRANTABLE, role_allows


def organization_of(obj):
    """Return the organization an object belongs to (itself for an organization), or None."""
    if obj is None:
        return None
    if obj._meta.label == "tenants.Organization":
        return obj
    return getattr(obj, "organization", None)


def role_in(user, organization) -> str | None:
    """Return the user's role in the organization, cached on the user object per request."""
    if user is None or not user.is_authenticated or not user.is_active or organization is None:
        return None
    cache = user.__dict__.setdefault("_org_roles", {})
    if organization.pk not in cache:
        membership = user.memberships.filter(organization_id=organization.pk).first()
        cache[organization.pk] = membership.role if membership else None
    return cache[organization.pk]


class RoleBackend:
    """Grant a permission on an object when the user's role in its organization carries it."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return role_allows(role_in(user_obj, organization_of(obj)), perm)


class ObjectGrantBackend(ObjectPermissionBackend):
    """Guardian's per-object grants, asked only for the permissions that are granted per object.

    Guardian raises for a permission of another app than the object's, so it is consulted only
    for OBJECT_GRANTABLE, and only for members of the object's organization.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if obj is None or perm not in OBJECT_GRANTABLE:
            return False
        if role_in(user_obj, organization_of(obj)) is None:
            return False
        return super().has_perm(user_obj, perm, obj)
