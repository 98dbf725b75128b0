"""Django's admin for platform staff (issue 19): every model listed, filtered and searched, and
nothing changed behind the services' backs.

Platform staff run the servers; organizations run their own data through the panel, the API and
the self-service pages, whose services audit every change and keep its invariants (a template
deleted without its gallery version moving, a consent edited without its history event, would
break what the product promises). So the admin reads: no model can be added, changed or deleted
here. What staff may do to an object is an admin action that calls the object's service.

Personal data is shown one organization at a time: a list of a model that holds it stays empty
until an organization is chosen in its filter, and each list or object shown is one audit event
of that organization (``admin.viewed``), as reading personal data in the panel is.
"""

from django.contrib import admin
from django.db import models

from audit.actors import Actor
from audit.services import audit_record

# Values an admin page never shows: encrypted face templates, keys, secrets, hashes of secrets.
_HIDDEN_NAMES = ("ciphertext", "encrypted", "secret", "key_hash", "wrapped", "nonce", "token")
_LIST_COLUMNS = 7


def _hidden(field) -> bool:
    return isinstance(field, models.BinaryField) or any(n in field.name for n in _HIDDEN_NAMES)


class PlatformReadOnlyAdmin(admin.ModelAdmin):
    """A read-only admin whose lists, filters and search come from the model's fields."""

    personal_data = False
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and (user.is_staff or user.is_superuser)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_exclude(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if _hidden(f)]

    def get_list_display(self, request):
        if self.list_display != ("__str__",):
            return self.list_display
        shown = [f.name for f in self.model._meta.fields if not _hidden(f)]
        return shown[:_LIST_COLUMNS] or ["__str__"]

    def get_list_filter(self, request):
        if self.list_filter:
            return self.list_filter
        found = []
        for field in self.model._meta.fields:
            if (
                (
                    field.name == "organization"
                    or field.choices
                    or isinstance(field, models.BooleanField)
                )
                or isinstance(field, models.DateTimeField)
                and len(found) < 6
            ):
                found.append(field.name)
        return found

    def get_search_fields(self, request):
        if self.search_fields:
            return self.search_fields
        return [
            f.name
            for f in self.model._meta.fields
            if isinstance(f, models.CharField | models.UUIDField | models.EmailField)
            and not _hidden(f)
            and not f.choices
        ][:4]

    def get_list_select_related(self, request):
        return [f.name for f in self.model._meta.fields if f.name == "organization"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        listing = match is not None and (match.url_name or "").endswith("_changelist")
        if self.personal_data and listing and self._organization_id(request) is None:
            # One organization at a time: nothing until one is chosen in the filter.
            return queryset.none()
        return queryset

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        organization_id = self._organization_id(request)
        if self.personal_data and organization_id is not None and response.status_code == 200:
            self._audit(request, organization_id, view="list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id) if self.personal_data else None
        if obj is not None and response.status_code == 200:
            self._audit(request, obj.organization_id, view="object", object_id=obj.pk)
        return response

    def _organization_id(self, request):
        if not any(f.name == "organization" for f in self.model._meta.fields):
            return None
        value = request.GET.get("organization__id__exact")
        return int(value) if value and value.isdigit() else None

    def _audit(self, request, organization_id: int, **details):
        user = request.user
        audit_record(
            organization_id=organization_id,
            actor=Actor(
                Actor.USER,
                str(user.pk),
                user.email or user.get_username(),
                getattr(request, "request_id", ""),
                getattr(request, "client_ip", None),
                user.pk,
            ),
            action="admin.viewed",
            target_type=self.model._meta.model_name,
            target_id=details.get("object_id", ""),
            details={"model": self.model._meta.label, **details},
        )


def register_read_only(app_models, *, personal=(), overrides=None) -> None:
    """Register each model of ``app_models`` not registered yet, read-only; models named in
    ``personal`` (by class name) hold personal data; ``overrides`` maps a class name to extra
    ModelAdmin attributes."""
    overrides = overrides or {}
    for model in app_models:
        if admin.site.is_registered(model):
            continue
        attributes = {
            "personal_data": model.__name__ in personal,
            **overrides.get(model.__name__, {}),
        }
        admin_class = type(f"{model.__name__}Admin", (PlatformReadOnlyAdmin,), attributes)
        admin.site.register(model, admin_class)
