from django.apps import AppConfig, apps
from django.db import connections
from django.db.models.signals import post_migrate

from tenants.rls import rls_install


def _wall_new_tables(sender, using, apps=None, **kwargs):
    if apps is None:
        # flush (transactional tests) sends post_migrate without a migration state: it creates no
        # table, and the walls it leaves stand.
        return
    # Tables created by migrations after portal's RLS migration get their wall too (idempotent).
    rls_install(connections[using], list(apps.get_models()))


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal.api.strict import install as strict_json_types

        # Django sends post_migrate only for apps with models, which portal has none of: hang the
        # wall on tenants' signal (sent after every migration of every app has run).
        post_migrate.connect(
            _wall_new_tables, sender=apps.get_app_config("tenants"), dispatch_uid="portal.rls"
        )
        # JSON bodies must use JSON's own types (issue 15, fuzzing).
        strict_json_types()
