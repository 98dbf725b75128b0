from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate

from tenants.rls import rls_install


def _wall_new_tables(sender, apps, using, **kwargs):
    # Tables created by migrations after portal's RLS migration get their wall too (idempotent).
    rls_install(connections[using], list(apps.get_models()))


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal.api.strict import install as strict_json_types

        post_migrate.connect(_wall_new_tables, sender=self, dispatch_uid="portal.rls")
        # JSON bodies must use JSON's own types (issue 15, fuzzing).
        strict_json_types()
