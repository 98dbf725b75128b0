"""The one scoping path for dsr rows."""

from django.db import models


class OrgOwnedQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(organization=org)


class LegalHoldQuerySet(OrgOwnedQuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)
