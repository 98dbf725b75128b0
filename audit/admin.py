"""Platform staff's read-only admin of the audit trail: events, seals, chain heads, checkpoints.

Read only like every model here (tenants.admin_base); the trail is also append-only in the
database itself (audit.migrations' triggers), so not even a superuser's admin could change it.
"""

from django.apps import apps

from tenants.admin_base import register_read_only

register_read_only(
    apps.get_app_config("audit").get_models(),
    personal=("AuditEvent",),
    overrides={
        "AuditEvent": {
            "list_display": (
                "id",
                "created_at",
                "organization",
                "actor_label",
                "action",
                "target_type",
                "target_id",
            ),
            "list_filter": ("organization", "action", "actor_type", "created_at"),
            "search_fields": ("action", "target_id", "subject_pseudonym", "request_id"),
            "date_hierarchy": "created_at",
        }
    },
)
