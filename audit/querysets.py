from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(organization=org)
