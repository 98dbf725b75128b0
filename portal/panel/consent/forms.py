from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from consent.forms import BirthDateField


class MinorRulesForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Rules"), widget=forms.Textarea(attrs={"rows": 10}))
    url = forms.URLField(
        label=_("Public address (optional)"), required=False, assume_scheme="https"
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class SubjectForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    external_ref = forms.CharField(label=_("External reference"), max_length=120, required=False)
    date_of_birth = BirthDateField(label=_("Date of birth"), required=False)
    age_bracket = forms.ChoiceField(label=_("Age bracket (without a date of birth)"), choices=[])

    def __init__(self, *args, **kwargs):
        from consent.models import Subject

        super().__init__(*args, **kwargs)
        self.fields["age_bracket"].choices = Subject.AgeBracket.choices


class ConsentRecordForm(forms.Form):
    """What the person answered at the desk or on paper; each item asked, none pre-set (R4)."""

    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=None)
    deployment = forms.ModelChoiceField(label=_("Deployment"), queryset=None, required=False)
    language = forms.ChoiceField(
        label=_("Notice shown"), choices=[("zh-hans", "简体中文"), ("en", "English")]
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("paper", _("Paper")), ("kiosk", _("Kiosk"))]
    )
    central_storage = forms.ChoiceField(
        label=_("Central storage and transmission granted"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    raw_images = forms.ChoiceField(
        label=_("Keeping raw images granted"), choices=YES_NO, widget=forms.RadioSelect
    )
    # R26, PIPL Art. 39: asked where the site stores or processes abroad; unanswered is "no".
    cross_border = forms.ChoiceField(
        label=_("Transfer outside mainland China granted"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    guardian_name = forms.CharField(label=_("Guardian name"), max_length=200, required=False)
    guardian_relationship = forms.CharField(label=_("Relationship"), max_length=60, required=False)
    guardian_verification = forms.CharField(
        label=_("How the guardian's identity was checked"), max_length=200, required=False
    )
    guardian_evidence = forms.CharField(label=_("Evidence"), max_length=300, required=False)
    signed_document = forms.FileField(label=_("Signed document"), required=False)
    e_signature = forms.CharField(label=_("Electronic signature"), max_length=200, required=False)

    def __init__(self, *args, organization, **kwargs):
        from consent.models import Consent
        from governance.models import Deployment, Notice, Purpose

        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = Purpose.objects.for_org(organization).filter(
            current_version__isnull=False
        )
        self.fields["deployment"].queryset = Deployment.objects.for_org(organization).exclude(
            status="retired"
        )
        self.fields["kind"].choices = Consent.Kind.choices
        # Offer first, and pre-select, a language in which a notice is published: the page's
        # own language when it has one, else any that does (never one that would be refused).
        published = set(
            Notice.objects.for_org(organization)
            .published()
            .values_list("language", flat=True)
            .distinct()
        )
        if published and not self.is_bound:
            page = (get_language() or "").lower()
            self.initial["language"] = page if page in published else sorted(published)[0]
