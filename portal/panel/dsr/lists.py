"""The data-subject request queue's columns, filters and search (portal.panel.listing)."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dsr.models import DataRequest
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
