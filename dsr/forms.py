"""The self-service request form. It checks shape; ``dsr_request_file`` decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dsr.models import DataRequest, PortabilityTransfer
from governance.models import Location


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like?"), choices=DataRequest.FILE_KINDS, widget=forms.RadioSelect
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


class TransferForm(forms.Form):
    """A portability transfer (R46): who receives the data and how it reaches them."""

    receiver_name = forms.CharField(label=_("Receiving organization"), max_length=200)
    receiver_contact = forms.CharField(
        label=_("Its contact (e-mail, telephone or address)"), max_length=300
    )
    receiver_location = forms.ChoiceField(
        label=_("Its country or region"), choices=Location.choices
    )
    delivery = forms.ChoiceField(
        label=_("How should your data reach it?"),
        choices=PortabilityTransfer.Delivery.choices,
        widget=forms.RadioSelect,
        initial=PortabilityTransfer.Delivery.LINK,
    )
    receiver_slug = forms.SlugField(
        label=_("Its identifier on this platform (for a direct import)"), required=False
    )
    message = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
