from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Organizations"

    def ready(self):
        from tenants import receivers  # noqa: F401 - connects the sign-in receivers
