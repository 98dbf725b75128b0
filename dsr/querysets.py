"""The one scoping path for dsr rows: tenants' OrgOwnedQuerySet, plus what each model adds."""

from tenants.querysets import OrgOwnedQuerySet


class DataRequestQuerySet(OrgOwnedQuerySet):
    def open(self):
        """Return requests not yet completed or rejected (the DPO's queue, deadlines)."""
        return self.filter(status__in=["received", "identity_verified", "in_progress", "extended"])


class LegalHoldQuerySet(OrgOwnedQuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)
