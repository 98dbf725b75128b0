from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from tenants.models import Organization
from tenants.rate_limits import (
    KEY,
    ORGANIZATION,
    READ,
    ROUTE_CLASSES,
    SCOPES,
    UPLOAD,
    WRITE,
    rate_limit_ceiling,
    rate_limit_default,
)
from tenants.roles import LEAST_PRIVILEGED_ROLE, role_choices_by_privilege
from tenants.services import ORGANIZATION_FIELDS


class OrganizationForm(forms.ModelForm):
    """The organization's details, and its API rate limits as one number per route class and
    scope (left empty: the default, shown as the placeholder)."""

    class Meta:
        model = Organization
        fields = [field for field in ORGANIZATION_FIELDS if field != "rate_limits"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.rate_limits or {}
        window = settings.API_RATE_WINDOW_SECONDS
        labels = {
            (READ, KEY): _("Read requests per %(window)d s, per API key or person"),
            (READ, ORGANIZATION): _("Read requests per %(window)d s, whole organization"),
            (WRITE, KEY): _("Write requests per %(window)d s, per API key or person"),
            (WRITE, ORGANIZATION): _("Write requests per %(window)d s, whole organization"),
            (UPLOAD, KEY): _("Photo uploads per %(window)d s, per API key or person"),
            (UPLOAD, ORGANIZATION): _("Photo uploads per %(window)d s, whole organization"),
        }
        for route_class in ROUTE_CLASSES:
            for scope in SCOPES:
                default = rate_limit_default(route_class, scope)
                self.fields[f"rate_limit_{route_class}_{scope}"] = forms.IntegerField(
                    label=labels[route_class, scope] % {"window": window},
                    required=False,
                    min_value=1,
                    max_value=rate_limit_ceiling(route_class, scope),
                    initial=(stored.get(route_class) or {}).get(scope),
                    widget=forms.NumberInput(attrs={"placeholder": default}),
                    help_text=_("Default %(default)d.") % {"default": default},
                )

    def changes(self) -> dict:
        """Return what changed as the service takes it, the rate limits as one object."""
        changes = {
            field: self.cleaned_data[field]
            for field in self.changed_data
            if not field.startswith("rate_limit_")
        }
        if any(field.startswith("rate_limit_") for field in self.changed_data):
            limits: dict = {}
            for route_class in ROUTE_CLASSES:
                for scope in SCOPES:
                    value = self.cleaned_data.get(f"rate_limit_{route_class}_{scope}")
                    if value is not None:
                        limits.setdefault(route_class, {})[scope] = value
            changes["rate_limits"] = limits
        return changes


class InviteForm(forms.Form):
    """Offer a role to an address. The person sets their own password; nobody else does."""

    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(
        label=_("Role"), choices=role_choices_by_privilege, initial=LEAST_PRIVILEGED_ROLE
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=role_choices_by_privilege)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    role = forms.ChoiceField(
        label=_("Role"), choices=role_choices_by_privilege, initial=LEAST_PRIVILEGED_ROLE
    )


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False)
    actor_type = forms.ChoiceField(
        label=_("Actor"),
        required=False,
        choices=[("", _("any"))] + list(AuditEvent.ActorType.choices),
    )
    target_type = forms.CharField(label=_("Target type"), required=False)
    subject = forms.CharField(label=_("Subject pseudonym"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter(self, queryset):
        """Return ``queryset`` narrowed by the valid filters."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["action"]:
            queryset = queryset.filter(action__startswith=data["action"])
        if data["actor_type"]:
            queryset = queryset.filter(actor_type=data["actor_type"])
        if data["target_type"]:
            queryset = queryset.filter(target_type=data["target_type"])
        if data["subject"]:
            queryset = queryset.filter(subject_pseudonym=data["subject"])
        if data["since"]:
            queryset = queryset.filter(created_at__date__gte=data["since"])
        if data["until"]:
            queryset = queryset.filter(created_at__date__lte=data["until"])
        return queryset
