"""The subject and consent lists' columns, filters and search (portal.panel.listing)."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consent.models import Consent, Subject
from consent.selectors import subjects_for_org
from governance.models import Deployment, Purpose
from governance.selectors import deployments_for_org, purposes_for_org
from portal.panel.listing import Column, ListSpec, shows_personal_data


def _subject_url(pseudonym_of):
    return lambda row, slug: reverse("panel:subject_detail", args=[slug, pseudonym_of(row)])


def _subject_search(request, queryset, term):
    # consent's own rule for who may search by name or e-mail (issue 15): one place.
    found = subjects_for_org(
        organization=request.organization,
        search=term,
        personal_data=shows_personal_data(request),
    )
    return queryset.filter(pk__in=found.values("pk"))


class SubjectFilter(django_filters.FilterSet):
    age_bracket = django_filters.ChoiceFilter(
        label=_("Age bracket"), choices=Subject.AgeBracket.choices
    )
    choice = django_filters.ChoiceFilter(label=_("Choice"), choices=Subject.Choice.choices)

    class Meta:
        model = Subject
        fields = ["age_bracket", "choice"]


SUBJECTS = ListSpec(
    name="subjects",
    columns=(
        Column(
            "name",
            _("Name"),
            lambda s: s.display_name or _("(erased)"),
            "display_name",
            _subject_url(lambda s: s.pseudonym),
            personal=True,
        ),
        Column("email", _("E-mail"), lambda s: s.email, "email", personal=True),
        Column(
            "pseudonym",
            _("Pseudonym"),
            lambda s: s.pseudonym,
            link=_subject_url(lambda s: s.pseudonym),
            mono=True,
        ),
        Column("reference", _("Reference"), lambda s: s.external_ref, "external_ref"),
        Column("age_bracket", _("Age bracket"), lambda s: s.get_age_bracket_display()),
        Column("choice", _("Choice"), lambda s: s.get_choice_display(), "choice"),
        Column("turned_14", _("Turned 14"), lambda s: s.turned_14_at, "turned_14_at"),
        Column("created", _("Created"), lambda s: s.created_at, "created_at"),
    ),
    # By creation, so that for a reader who sees pseudonyms the order tells nothing of names.
    default_sort="-created",
    filterset=SubjectFilter,
    search_with=_subject_search,
    search_label=_("Name, e-mail, reference or pseudonym"),
    search_label_masked=_("Reference or pseudonym"),
    subjects_of=lambda s: [str(s.pseudonym)],
)


def _org_deployments(request):
    if request is None:
        return Deployment.objects.none()
    return deployments_for_org(organization=request.organization)


def _org_purposes(request):
    if request is None:
        return Purpose.objects.none()
    return purposes_for_org(organization=request.organization)


class ConsentFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=Consent.State.choices)
    purpose = django_filters.ModelChoiceFilter(label=_("Purpose"), queryset=_org_purposes)
    deployment = django_filters.ModelChoiceFilter(label=_("Deployment"), queryset=_org_deployments)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Consent.Channel.choices)
    given_after = django_filters.DateFilter(
        label=_("Given from"), field_name="given_at", lookup_expr="date__gte"
    )
    given_before = django_filters.DateFilter(
        label=_("Given until"), field_name="given_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Consent
        fields = ["state", "purpose", "deployment", "channel"]


CONSENTS = ListSpec(
    name="consents",
    columns=(
        Column(
            "subject",
            _("Subject"),
            lambda c: c.subject.display_name or c.subject_pseudonym,
            "subject__display_name",
            _subject_url(lambda c: c.subject_pseudonym),
            personal=True,
        ),
        Column(
            "pseudonym",
            _("Pseudonym"),
            lambda c: c.subject_pseudonym,
            link=_subject_url(lambda c: c.subject_pseudonym),
            mono=True,
        ),
        Column(
            "purpose",
            _("Purpose"),
            lambda c: f"{c.purpose.name} v{c.purpose_version.version}",
            "purpose__name",
        ),
        Column(
            "deployment",
            _("Deployment"),
            lambda c: c.deployment.name if c.deployment_id else "",
            "deployment__name",
        ),
        Column("state", _("State"), lambda c: c.get_state_display(), "state"),
        Column("channel", _("Channel"), lambda c: c.get_channel_display(), "channel"),
        Column("given", _("Given"), lambda c: c.given_at, "given_at"),
        Column("withdrawn", _("Withdrawn"), lambda c: c.withdrawn_at, "withdrawn_at"),
    ),
    default_sort="-given",
    filterset=ConsentFilter,
    search=("purpose__name", "deployment__name"),
    search_label=_("Purpose or deployment"),
    subjects_of=lambda c: [str(c.subject_pseudonym)],
    actions_template="panel/consent/_consent_row_actions.html",
)
