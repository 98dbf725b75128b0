"""The one scoping path for consent rows: every view goes through ``for_org``."""

from django.db import models


class OrgOwnedQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(organization=org)


class SubjectQuerySet(OrgOwnedQuerySet):
    def not_erased(self):
        return self.filter(erased_at__isnull=True)


class MinorDataRulesQuerySet(OrgOwnedQuerySet):
    pass


class ConsentQuerySet(OrgOwnedQuerySet):
    def active(self):
        """Return consents that let face processing happen (state active, item granted)."""
        return self.filter(state="active", face_processing=True)

    def current(self):
        """Return consents given for their purpose's current version."""
        return self.filter(purpose__current_version=models.F("purpose_version"))


class ConsentEventQuerySet(OrgOwnedQuerySet):
    pass


class ConsentReceiptQuerySet(OrgOwnedQuerySet):
    pass


class SigningKeyQuerySet(OrgOwnedQuerySet):
    def current(self):
        return self.filter(retired_at__isnull=True)


class DataRequestQuerySet(OrgOwnedQuerySet):
    def open(self):
        """Return requests not yet completed or rejected (the DPO's queue, deadlines)."""
        return self.filter(status__in=["received", "identity_verified", "in_progress", "extended"])


class OneTimeCodeQuerySet(models.QuerySet):
    def usable(self, now):
        return self.filter(used_at__isnull=True, expires_at__gt=now)
