"""Panel forms for recognition: shape only; the services decide."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.models import DeploymentPurpose
from portal.panel.recognition.subject_picker import SubjectPickerField, picker_help
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


class PurposeSelect(forms.Select):
    """Each purpose option names the deployments it is attached to, so the page's script shows
    only the purposes of the deployment chosen (the form checks it again on submit)."""

    def __init__(self, *args, deployments_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.deployments_of = deployments_of or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = getattr(value, "value", value)
        if key not in ("", None):
            option["attrs"]["data-deployments"] = " ".join(
                str(pk) for pk in self.deployments_of.get(int(key), ())
            )
        return option


class _WorkForm(forms.Form):
    """Deployment and purpose, the purpose one attached to the deployment."""

    deployment = forms.ModelChoiceField(queryset=None, label=_("Deployment"))
    purpose = forms.ModelChoiceField(queryset=None, label=_("Purpose"))

    def __init__(self, *args, deployments, purposes, organization, personal_data, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = deployments
        self.fields["deployment"].widget.attrs["data-filters-purposes"] = ""
        self.fields["purpose"].queryset = purposes
        links = DeploymentPurpose.objects.filter(deployment__in=deployments).values_list(
            "purpose_id", "deployment_id"
        )
        deployments_of: dict[int, list[int]] = {}
        for purpose_id, deployment_id in links:
            deployments_of.setdefault(purpose_id, []).append(deployment_id)
        self.deployments_of = deployments_of
        self.fields["purpose"].widget = PurposeSelect(deployments_of=deployments_of)
        self.fields["purpose"].widget.choices = self.fields["purpose"].choices
        for field in self.fields.values():
            if isinstance(field, SubjectPickerField):
                field.organization = organization
                field.personal_data = personal_data
                field.help_text = picker_help(personal_data)
                field.widget.attrs["data-search-url"] = reverse(
                    "panel:rec_subject_search", args=[organization.slug]
                )

    def clean(self):
        data = super().clean()
        deployment, purpose = data.get("deployment"), data.get("purpose")
        if deployment and purpose and deployment.pk not in self.deployments_of.get(purpose.pk, []):
            self.add_error(
                "purpose",
                _("This purpose is not attached to %(deployment)s.")
                % {"deployment": deployment.name},
            )
        return data


class EnrollForm(_WorkForm):
    subject = SubjectPickerField(label=_("Subject"))
    image = forms.FileField(label=_("Photo (one face)"))


class JobForm(_WorkForm):
    mode = forms.ChoiceField(choices=RecognitionJob.Mode.choices, label=_("Mode"))
    claimed_subject = SubjectPickerField(label=_("Claimed subject (verify)"), required=False)
    images = MultipleFileField(label=_("Images"))
