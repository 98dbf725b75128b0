"""The self-service request form. It checks shape; ``dsr_request_file`` decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dsr.models import DataRequest


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like?"), choices=DataRequest.Kind.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PortabilityForm(forms.Form):
    # R46: face templates leave only when the person asks (and as far as the portal allows).
    include_templates = forms.BooleanField(
        label=_("Include my face templates (numbers describing my face, for another system)"),
        required=False,
    )
