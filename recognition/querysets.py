"""The one scoping path for recognition rows: every view goes through ``for_org``."""

from django.db import models

from tenants.querysets import OrgOwnedQuerySet


class CalibrationQuerySet(OrgOwnedQuerySet):
    def latest_per_stratum(self, *, purpose) -> list:
        """Return the newest calibration of each stratum of the purpose's gallery."""
        strata = self.filter(purpose=purpose).values_list("stratum", flat=True).distinct()
        rows = (
            self.filter(purpose=purpose, stratum=s).order_by("-created_at", "-pk").first()
            for s in sorted(set(strata))
        )
        return [row for row in rows if row is not None]


class SubjectKeyQuerySet(OrgOwnedQuerySet):
    def storing(self):
        """Return keys of subjects whose face data is stored now (R35 count)."""
        return self.filter(stored_templates__gt=0)


class ProbeQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(job__organization=org)


class ResultQuerySet(OrgOwnedQuerySet):
    def pending_review(self):
        return self.filter(review_status="pending")
