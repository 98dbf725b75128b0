"""Panel forms for governance: shape only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.grant_labels import GRANT_LABELS
from governance.models import (
    Assessment,
    Deployment,
    Device,
    FilingProfile,
    Incident,
    Notice,
    Purpose,
    PurposeVersion,
)
from governance.selectors import GRANTABLE_CODENAMES
from governance.services.deployments import DEPLOYMENT_FIELDS

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DeploymentForm(forms.ModelForm):
    # Left out of a submission, these keep their value: production, and for a new deployment
    # the organization's jurisdiction (the service fills it in).
    # R26: the locations default to where the site collects.
    OPTIONAL = ("processing_kind", "jurisdiction", "storage_location", "processing_location")

    class Meta:
        model = Deployment
        fields = [f for f in DEPLOYMENT_FIELDS if not f.startswith("signage")]
        widgets = {
            "central_storage_reason": forms.Textarea(attrs={"rows": 2}),
            "public_security_justification": forms.Textarea(attrs={"rows": 3}),
            "capture_area": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.OPTIONAL:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.OPTIONAL:
            if not cleaned.get(name):
                cleaned.pop(name, None)
        return cleaned


class SignageForm(forms.Form):
    photo = forms.FileField(label=_("Photo of the signage"))
    location = forms.CharField(label=_("Where the sign hangs"), max_length=300)
    taken_on = forms.DateField(label=_("Date the photo was taken"), widget=DATE)


class DeviceForm(forms.Form):
    identifier = forms.CharField(label=_("Identifier"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Device.Kind.choices)
    location = forms.CharField(label=_("Location on site"), max_length=200, required=False)


class AttachPurposeForm(forms.Form):
    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=Purpose.objects.none())

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = Purpose.objects.for_org(organization)


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Member"), queryset=None)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=[(c, GRANT_LABELS.get(c, c)) for c in GRANTABLE_CODENAMES],
        widget=forms.CheckboxSelectMultiple,
        initial=GRANTABLE_CODENAMES,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members


class PurposeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_zh_hans = forms.CharField(
        label=_("Name in Simplified Chinese"),
        help_text=_("Needed to publish the Chinese notice."),
        required=False,
        max_length=200,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Purpose.Kind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    method = forms.CharField(label=_("Processing method"), widget=forms.Textarea(attrs={"rows": 3}))
    necessity_justification = forms.CharField(
        label=_("Necessity justification"), widget=forms.Textarea(attrs={"rows": 3})
    )
    alternatives = forms.CharField(
        label=_("Non-biometric alternatives (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    alternatives_zh_hans = forms.CharField(
        label=_("The same alternatives in Simplified Chinese (one per line, in the same order)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    alternative_exemption_citation = forms.CharField(
        label=_("State rule exempting the alternative"), required=False, max_length=300
    )
    fr_necessary_for_service = forms.BooleanField(
        label=_("Face recognition is necessary for the service"), required=False
    )
    fr_necessity_justification = forms.CharField(
        label=_("Why it is necessary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    retention_days = forms.IntegerField(label=_("Retention period (days)"), min_value=1)
    significant_effect = forms.BooleanField(
        label=_("Results have significant effects (human review)"), required=False
    )
    keep_raw_images_allowed = forms.BooleanField(
        label=_("Raw images may be kept (needs separate consent)"), required=False
    )
    match_threshold = forms.FloatField(
        label=_("Verification threshold (1:1)"), min_value=0.01, max_value=1, initial=0.6
    )
    declared_fpir = forms.FloatField(
        label=_("Accepted false-positive identification rate (1:N)"),
        help_text=_(
            "The share of people never enrolled that identification may name: 0.001 is one in "
            "a thousand. The 1:N threshold is calibrated from the gallery for this rate (R54)."
        ),
        min_value=1e-6,
        max_value=0.05,
        initial=0.001,
        required=False,
    )
    human_review = forms.BooleanField(label=_("A person confirms every hit (R43)"), required=False)
    change_note = forms.CharField(label=_("What changed"), required=False, max_length=300)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
        else:
            del self.fields["change_note"]

    @staticmethod
    def initial_from(purpose: Purpose) -> dict:
        version: PurposeVersion = purpose.current_version
        initial = {
            "name": purpose.name,
            "name_zh_hans": purpose.name_zh_hans,
            "alternatives_zh_hans": "\n".join(purpose.alternatives_zh_hans),
            "kind": purpose.kind,
        }
        for field in (
            "description",
            "method",
            "necessity_justification",
            "alternative_exemption_citation",
            "fr_necessary_for_service",
            "fr_necessity_justification",
            "retention_days",
            "significant_effect",
            "keep_raw_images_allowed",
            "match_threshold",
            "declared_fpir",
            "human_review",
        ):
            initial[field] = getattr(version, field)
        initial["alternatives"] = "\n".join(version.alternatives)
        return initial

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        if values.get("declared_fpir") is None:
            values.pop("declared_fpir", None)  # the service's default: 1 in 1,000
        for field in ("alternatives", "alternatives_zh_hans"):
            values[field] = [line.strip() for line in values[field].splitlines() if line.strip()]
        return values


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = list(Notice.CONTENT_FIELDS)
        widgets = {
            f: forms.Textarea(attrs={"rows": 2})
            for f in Notice.CONTENT_FIELDS
            if f not in ("controller_name", "controller_contact")
        }


class NoticeStartForm(forms.Form):
    purpose_version = forms.ModelChoiceField(
        label=_("Purpose (current version)"), queryset=PurposeVersion.objects.none()
    )
    language = forms.ChoiceField(label=_("Language"), choices=Notice.Language.choices)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose_version"].queryset = (
            PurposeVersion.objects.for_org(organization).current().select_related("purpose")
        )


class NoticeCreateForm(NoticeForm):
    """A notice written in one go from a Fix link or a purpose: which version, which language,
    and the content, pre-filled from the purpose (R9)."""

    purpose_version = forms.ModelChoiceField(
        label=_("Purpose (current version)"), queryset=PurposeVersion.objects.none()
    )
    language = forms.ChoiceField(label=_("Language"), choices=Notice.Language.choices)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose_version"].queryset = (
            PurposeVersion.objects.for_org(organization).current().select_related("purpose")
        )
        self.order_fields(["purpose_version", "language"])


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["title", *Assessment.SECTION_FIELDS]
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in Assessment.SECTION_FIELDS}


class AssessmentCreateForm(AssessmentForm):
    deployment_choice = forms.ModelChoiceField(
        label=_("Deployment"), queryset=Deployment.objects.none()
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployment_choice"].queryset = Deployment.objects.for_org(organization)
        self.order_fields(["deployment_choice", "title"])


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "deployment",
            "title",
            "severity",
            "occurred_at",
            "discovered_at",
            "data_types",
            "cause",
            "possible_harm",
            "remedial_measures",
            "individual_steps",
            "contact",
            "affected_count",
        ]
        # The model's field has no verbose name; without one the label is English in every page.
        labels = {"deployment": _("Deployment")}
        widgets = {
            "occurred_at": DATETIME,
            "discovered_at": DATETIME,
            **{
                f: forms.Textarea(attrs={"rows": 2})
                for f in (
                    "data_types",
                    "cause",
                    "possible_harm",
                    "remedial_measures",
                    "individual_steps",
                )
            },
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = Deployment.objects.for_org(organization)


class FilingProfileForm(forms.ModelForm):
    class Meta:
        model = FilingProfile
        fields = [
            "security_measures",
            "processing_rules",
            "operating_procedures",
            "legal_representative",
            "handling_person",
            "legacy_processor",
            "group_parent",
            "group_affiliates",
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in (
                "security_measures",
                "processing_rules",
                "operating_procedures",
                "group_affiliates",
            )
        }


class FilingNumberForm(forms.Form):
    filing_number = forms.CharField(label=_("Filing number"), max_length=100, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
