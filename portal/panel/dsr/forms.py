from django import forms
from django.utils.translation import gettext_lazy as _

from dsr.models import DataRequest


class FileRequestForm(forms.Form):
    subject = forms.UUIDField(label=_("Subject's pseudonymous ID"))
    kind = forms.ChoiceField(label=_("Kind"), choices=DataRequest.FILE_KINDS)
    message = forms.CharField(
        label=_("What the person asked"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    identity_check = forms.CharField(
        label=_("How you checked the person's identity"),
        max_length=300,
        help_text=_("For example: national ID card seen at reception, number not recorded."),
    )
    language = forms.ChoiceField(
        label=_("Language of the answer"), choices=[("en", "English"), ("zh-hans", "简体中文")]
    )


class IdentityForm(forms.Form):
    check = forms.CharField(label=_("How you checked the person's identity"), max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(forms.Form):
    response = forms.CharField(
        label=_("Answer to the person (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Correction only: the corrected values (empty: unchanged) and a new photo.
    display_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    external_ref = forms.CharField(label=_("External reference"), max_length=120, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    photo = forms.FileField(label=_("New photo (re-enrolls the face)"), required=False)

    CORRECTABLE = ("display_name", "email", "phone", "external_ref", "date_of_birth")

    def changes(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.CORRECTABLE if self.cleaned_data.get(f)}


class HoldForm(forms.Form):
    reason = forms.CharField(label=_("Legal basis of the hold"), max_length=300)


class SettingsForm(forms.Form):
    response_days = forms.IntegerField(
        label=_("Days to answer"), min_value=1, max_value=90, required=False
    )
    extension_days = forms.IntegerField(
        label=_("Days an extension adds"), min_value=1, max_value=90, required=False
    )
    due_soon_days = forms.IntegerField(
        label=_("Warn this many days before the deadline"),
        min_value=1,
        max_value=30,
        required=False,
    )


class PortabilityImportForm(forms.Form):
    file = forms.FileField(
        label=_("Portability file (JSON)"),
        help_text=_(
            "A file another organization running this portal exported for the person "
            "(schema version 1)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )
