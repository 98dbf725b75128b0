"""Finding the subject to enroll or verify: by name, e-mail, reference or pseudonym, never a
pasted UUID. The search is consent's one rule (``subjects_for_org``): readers who may not see
names search by reference and pseudonym only and see pseudonyms only (issue 15)."""

from django import forms
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services.recording import audit_record
from consent.selectors import subjects_for_org
from portal.panel.access import org_view
from portal.panel.listing import shows_personal_data
from tenants import roles

SUGGESTIONS = 10


def subject_label(subject, personal_data: bool) -> str:
    """Return how a subject is shown in the picker: name and e-mail, or the pseudonym alone."""
    if not personal_data:
        ref = f" · {subject.external_ref}" if subject.external_ref else ""
        return f"{subject.pseudonym}{ref}"
    contact = f" <{subject.email}>" if subject.email else ""
    return f"{subject.display_name}{contact}"


class SubjectPickerField(forms.CharField):
    """A text field that resolves what was typed to exactly one subject of the organization.

    The picker's script fills in the pseudonym of the suggestion chosen; typed by hand, a name,
    an e-mail or a reference that matches one subject is enough.
    """

    def __init__(self, *, organization=None, personal_data=False, **kwargs):
        self.organization = organization
        self.personal_data = personal_data
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "data-subject-picker": ""})

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        matches = list(
            subjects_for_org(
                organization=self.organization, search=text, personal_data=self.personal_data
            )[:2]
        )
        if not matches:
            raise forms.ValidationError(_("No subject of this organization matches."))
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several subjects match: choose one from the suggestions.")
            )
        return matches[0]


def picker_help(personal_data: bool) -> str:
    return (
        gettext_lazy("Type a name, e-mail, reference or pseudonym and choose a suggestion.")
        if personal_data
        else gettext_lazy("Type a reference or pseudonym and choose a suggestion.")
    )


@org_view(roles.VIEW_SUBJECTS)
def subject_search(request):
    """The picker's suggestions as JSON: at most ten subjects of this organization, masked for
    readers who may not see names. A search that shows subjects is one audited read (R31)."""
    personal_data = shows_personal_data(request)
    term = request.GET.get("q", "").strip()[:200]
    rows = []
    if len(term) >= 2:
        found = subjects_for_org(
            organization=request.organization, search=term, personal_data=personal_data
        )
        rows = list(found.filter(erased_at__isnull=True)[:SUGGESTIONS])
    if rows:
        audit_record(
            organization_id=request.organization.pk,
            actor=request.actor,
            action="subject.listed",
            target_type="subject",
            details={
                "list": "subject_picker",
                "rows": len(rows),
                "personal_data": personal_data,
                "subjects": [str(s.pseudonym) for s in rows],
            },
        )
    return JsonResponse(
        {
            "results": [
                {"pseudonym": str(s.pseudonym), "label": subject_label(s, personal_data)}
                for s in rows
            ]
        }
    )
