"""The public complaint form (R52): what a person may send without signing in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.services.complaints import MESSAGE_MAX


class ComplaintForm(forms.Form):
    message = forms.CharField(
        label=_("Your complaint or report"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=120, required=False)
    contact_email = forms.EmailField(
        label=_("Your e-mail, for the answer (optional)"), required=False
    )
