"""Platform staff's read-only admin of organizations, members and API keys (tenants.admin_base)."""

from django.apps import apps
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from audit.actors import Actor
from tenants.admin_base import register_read_only
from tenants.errors import ApplicationError


@admin.action(description=_("Revoke the selected API keys"))
def revoke_keys(modeladmin, request, queryset):
    # Through the service: the key's user is deactivated, the revocation audited, and every web
    # process forgets the key's principal (tenants.principal_cache).
    from tenants.services import api_key_revoke

    actor = Actor(
        Actor.USER, str(request.user.pk), request.user.get_username(), "", None, request.user.pk
    )
    revoked = 0
    for key in queryset:
        try:
            api_key_revoke(api_key=key, actor=actor)
            revoked += 1
        except ApplicationError as error:
            modeladmin.message_user(request, f"{key.prefix}: {error}", messages.WARNING)
    modeladmin.message_user(request, _("%(count)d keys revoked.") % {"count": revoked})


register_read_only(
    apps.get_app_config("tenants").get_models(),
    personal=("Membership", "Invitation", "IdempotencyKey"),
    overrides={
        "ApiKey": {
            "actions": [revoke_keys],
            "list_display": ("prefix", "name", "organization", "role", "created_at", "revoked_at"),
        },
        "Organization": {"search_fields": ("name", "slug")},
    },
)
