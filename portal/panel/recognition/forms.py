"""Panel forms for recognition: shape only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from recognition.models import RecognitionJob


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        return (
            [single(d, initial) for d in data]
            if isinstance(data, list | tuple)
            else [single(data, initial)]
        )


class EnrollForm(forms.Form):
    deployment = forms.ModelChoiceField(queryset=None, label=_("Deployment"))
    purpose = forms.ModelChoiceField(queryset=None, label=_("Purpose"))
    subject = forms.UUIDField(label=_("Subject pseudonym"))
    image = forms.FileField(label=_("Photo (one face)"))

    def __init__(self, *args, deployments, purposes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = deployments
        self.fields["purpose"].queryset = purposes


class JobForm(forms.Form):
    deployment = forms.ModelChoiceField(queryset=None, label=_("Deployment"))
    purpose = forms.ModelChoiceField(queryset=None, label=_("Purpose"))
    mode = forms.ChoiceField(choices=RecognitionJob.Mode.choices, label=_("Mode"))
    claimed_subject = forms.UUIDField(label=_("Claimed subject (verify)"), required=False)
    images = MultipleFileField(label=_("Images"))

    def __init__(self, *args, deployments, purposes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = deployments
        self.fields["purpose"].queryset = purposes
