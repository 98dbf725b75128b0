"""Platform staff's read-only admin of data-subject requests, legal holds and their runs."""

from django.apps import apps

from tenants.admin_base import register_read_only

register_read_only(
    apps.get_app_config("dsr").get_models(),
    personal=("DataRequest", "PortabilityImport", "ImportedConsent", "LegalHold"),
)
