"""The columns, filters and search of the request queue and the portability imports
(portal.panel.listing)."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dsr.models import DataRequest, PortabilityImport
from portal.panel.listing import Column, ListSpec


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[("open", _("Open")), *DataRequest.Status.choices],
        method="filter_status",
        empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DataRequest.Kind.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=DataRequest.Channel.choices)
    deadline_flag = django_filters.ChoiceFilter(
        label=_("Deadline"), choices=DataRequest.DeadlineFlag.choices[1:]
    )

    class Meta:
        model = DataRequest
        fields = ["status", "kind", "channel", "deadline_flag"]

    def filter_status(self, queryset, name, value):
        return queryset.open() if value == "open" else queryset.filter(status=value)


def _subject_name(request):
    subject = request.subject
    return (subject.display_name or "") if subject is not None else ""


REQUESTS = ListSpec(
    name="requests",
    columns=(
        Column(
            "number",
            "#",
            lambda r: r.pk,
            "pk",
            lambda r, slug: reverse("panel:dsr_detail", args=[slug, r.pk]),
        ),
        Column("kind", _("Kind"), lambda r: r.get_kind_display(), "kind"),
        Column("subject", _("Subject"), _subject_name, "subject__display_name", personal=True),
        Column("pseudonym", _("Pseudonym"), lambda r: r.subject_pseudonym, mono=True),
        Column("channel", _("Channel"), lambda r: r.get_channel_display(), "channel"),
        Column("status", _("Status"), lambda r: r.get_status_display(), "status"),
        Column("received", _("Received"), lambda r: r.created_at, "created_at"),
        Column("due", _("Due"), lambda r: r.due_at, "due_at"),
        Column(
            "deadline",
            _("Deadline"),
            lambda r: r.get_deadline_flag_display() if r.deadline_flag else "",
            "deadline_flag",
        ),
    ),
    default_sort="due",
    filterset=RequestFilter,
    search=("kind",),
    search_label=_("Kind"),
    subjects_of=lambda r: [str(r.subject_pseudonym)],
    filter_defaults={"status": "open"},
)


class ImportFilter(django_filters.FilterSet):
    confirmation = django_filters.ChoiceFilter(
        label=_("Consents"),
        choices=[("needed", _("Some need confirmation")), ("done", _("All confirmed"))],
        method="filter_confirmation",
        empty_label=_("All"),
    )
    imported_after = django_filters.DateFilter(
        label=_("Imported from"), field_name="imported_at", lookup_expr="date__gte"
    )
    imported_before = django_filters.DateFilter(
        label=_("Imported until"), field_name="imported_at", lookup_expr="date__lte"
    )

    class Meta:
        model = PortabilityImport
        fields = ["confirmation"]

    def filter_confirmation(self, queryset, name, value):
        # The counts are the selector's annotations (dsr.selectors.portability_imports_for_org).
        if value == "needed":
            return queryset.filter(consents_to_confirm__gt=0)
        return queryset.filter(consents_to_confirm=0)


def _import_url(row, slug):
    return reverse("panel:dsr_import_detail", args=[slug, row.pk])


def _imported_subject_url(row, slug):
    # The subject row may be gone (SET_NULL); the import stays as provenance.
    if row.subject_id is None:
        return ""
    return reverse("panel:subject_detail", args=[slug, row.subject_pseudonym])


IMPORTS = ListSpec(
    name="portability_imports",
    columns=(
        Column("imported", _("Imported at"), lambda r: r.imported_at, "imported_at", _import_url),
        Column(
            "source",
            _("Source controller"),
            lambda r: r.source_controller,
            "source_controller",
            _import_url,
        ),
        Column(
            "subject",
            _("Subject"),
            _subject_name,
            "subject__display_name",
            _imported_subject_url,
            personal=True,
        ),
        Column(
            "pseudonym",
            _("Pseudonym"),
            lambda r: r.subject_pseudonym,
            link=_imported_subject_url,
            mono=True,
        ),
        Column("consents", _("Consents carried"), lambda r: r.consents_carried, "consents_carried"),
        Column(
            "to_confirm",
            _("Needing confirmation"),
            lambda r: r.consents_to_confirm,
            "consents_to_confirm",
        ),
        Column("imported_by", _("Imported by"), lambda r: r.imported_by_label, "imported_by_label"),
    ),
    default_sort="-imported",
    filterset=ImportFilter,
    search=("source_controller",),
    search_label=_("Source controller"),
    subjects_of=lambda r: [str(r.subject_pseudonym)],
)
