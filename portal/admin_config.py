"""Django's admin, on the platform staff's site (portal.admin_site) rather than the default one.

Kept apart from portal.admin_site because an AppConfig is imported before the models are ready,
and that site's module imports django-otp's forms, which need them.
"""

from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PlatformAdminSite"
