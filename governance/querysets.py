"""The one scoping path for governance rows: every view goes through ``for_org``."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenants.querysets import OrgOwnedQuerySet


class DeploymentQuerySet(OrgOwnedQuerySet):
    def active(self):
        return self.filter(status="active")


class DeviceQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(deployment__organization=org)


class PurposeQuerySet(OrgOwnedQuerySet):
    pass


class PurposeVersionQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(purpose__organization=org)

    def current(self):
        """Return the versions that are their purpose's current version."""
        return self.filter(purpose__current_version=models.F("pk"))


class DeploymentPurposeQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(deployment__organization=org)


class NoticeQuerySet(OrgOwnedQuerySet):
    def published(self):
        return self.filter(status="published")


class AssessmentQuerySet(OrgOwnedQuerySet):
    def approved(self):
        return self.filter(status="approved")


class AttachmentQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(assessment__organization=org)


class IncidentQuerySet(OrgOwnedQuerySet):
    pass


class FilingQuerySet(OrgOwnedQuerySet):
    def open(self):
        return self.filter(status="open")

    def pending(self):
        """Return filings not yet made (open) or made but not yet accepted."""
        return self.filter(Q(status="open") | Q(status="submitted"))


class FilingAlertQuerySet(OrgOwnedQuerySet):
    pass


class FilingProfileQuerySet(OrgOwnedQuerySet):
    pass


class ComplaintQuerySet(OrgOwnedQuerySet):
    def open(self):
        return self.filter(state="open")

    def overdue(self, today=None):
        """Return the complaints still unanswered after their deadline (R52)."""
        return self.open().filter(deadline__lt=today or timezone.localdate())


class FilingDocumentQuerySet(OrgOwnedQuerySet):
    pass


class EntrustmentQuerySet(OrgOwnedQuerySet):
    pass


class RecipientQuerySet(OrgOwnedQuerySet):
    pass


class TransferBasisQuerySet(OrgOwnedQuerySet):
    def in_force(self, today):
        """Return the bases not past their validity date (a security assessment lapses)."""
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
