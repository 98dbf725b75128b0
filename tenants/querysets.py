"""The one scoping path for tenant-owned rows: every view goes through ``for_org``."""

from django.db import models
from django.utils import timezone


class OrgOwnedQuerySet(models.QuerySet):
    """The scoping every tenant-owned model's queryset starts from: ``for_org(org)``."""

    def for_org(self, org):
        return self.filter(organization=org)


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Return the organizations ``user`` is a member of."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class MembershipQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(organization=org)


class ApiKeyQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(organization=org)

    def active(self):
        return self.filter(revoked_at__isnull=True)


class InvitationQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(organization=org)

    def open(self):
        """Return invitations that can still be accepted: neither used, revoked nor expired."""
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
