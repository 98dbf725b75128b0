from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from tenants.models import Organization
from tenants.roles import Role
from tenants.services import ORGANIZATION_FIELDS


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = list(ORGANIZATION_FIELDS)


class InviteForm(forms.Form):
    """Offer a role to an address. The person sets their own password; nobody else does."""

    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


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
