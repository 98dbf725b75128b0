"""The one scoping path for dsr rows."""

from tenants.querysets import OrgOwnedQuerySet


class LegalHoldQuerySet(OrgOwnedQuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)
