"""Permission backends: the role a membership carries, and per-object grants from guardian.

Views ask ``user.has_perm(perm, obj)`` and these answer; nothing else decides permissions.
"""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from guardian.backends import ObjectPermissionBackend

from tenants.roles import (
    OBJECT_GRANTABLE,
    ORGANIZATION_SETTING_GRANTS,
    RECORD_CONSENT_AT,
    role_allows,
)


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


class ThrottleBackend(AxesStandaloneBackend):
    """Refuse a web sign-in while its account or address is locked out (django-axes).

    A sign-in without a request (a shell, Django's test client ``login()``) has no address to
    count and is not throttled; every sign-in through a view passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            # Tells the audit receivers this failure is an attempt during a lock, not a new one.
            request.sign_in_refused_locked = True
            raise


class RoleBackend:
    """Grant a permission on an object when the user's role in its organization carries it."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        organization = organization_of(obj)
        role = role_in(user_obj, organization)
        if role_allows(role, perm):
            return True
        setting = ORGANIZATION_SETTING_GRANTS.get(perm)
        return bool(setting and role is not None and getattr(organization, setting))


class ObjectGrantBackend(ObjectPermissionBackend):
    """Guardian's per-object grants, asked only for the permissions that are granted per object.

    Guardian raises for a permission of another app than the object's, so it is consulted only
    for OBJECT_GRANTABLE, and only for members of the object's organization.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if obj is None or perm not in OBJECT_GRANTABLE | {RECORD_CONSENT_AT}:
            return False
        if role_in(user_obj, organization_of(obj)) is None:
            return False
        # Guardian asks two queries (user and group grants) per question. The answer is kept on
        # the user object: for a signed-in person that is one request; for an API key's user it
        # lives as long as its tenants.principal_cache entry, which any change of grants ends.
        memo = user_obj.__dict__.setdefault("_object_grants", {})
        asked = (perm, obj._meta.label, obj.pk)
        if asked not in memo:
            memo[asked] = self._has_perm(user_obj, perm, obj)
        return memo[asked]

    def _has_perm(self, user_obj, perm, obj):
        if perm == RECORD_CONSENT_AT:
            # Separation of duties (issue 15): an operator records consents only where they
            # work, i.e. on a deployment granted to them, whichever grant it is.
            granted = self.get_all_permissions(user_obj, obj)
            return any(p.split(".", 1)[1] in granted for p in OBJECT_GRANTABLE)
        return super().has_perm(user_obj, perm, obj)
