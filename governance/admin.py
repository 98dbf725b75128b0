"""Platform staff's read-only admin of deployments, purposes, notices, assessments, filings."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_users_with_perms

from tenants.admin_base import register_read_only


def operator_grants(self, obj) -> str:
    """Who holds a per-deployment grant (guardian), and which: read here, changed in the panel."""
    grants = get_users_with_perms(obj, attach_perms=True, with_group_users=True)
    return (
        "; ".join(
            f"{user.email or user.get_username()}: {', '.join(sorted(perms))}"
            for user, perms in grants.items()
        )
        or "-"
    )


operator_grants.short_description = _("Operator grants")

register_read_only(
    apps.get_app_config("governance").get_models(),
    personal=("Complaint",),
    overrides={
        "Deployment": {
            "readonly_fields": ("operator_grants",),
            "operator_grants": operator_grants,
            "search_fields": ("name", "address"),
        },
    },
)
