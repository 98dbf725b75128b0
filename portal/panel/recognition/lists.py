"""The enrollment and job lists' columns, filters and search (portal.panel.listing)."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.models import Deployment, Purpose
from governance.selectors import deployments_for_org, purposes_for_org
from portal.panel.listing import Column, ListSpec
from portal.panel.recognition.states import enrollment_outcome
from recognition.models import Enrollment, RecognitionJob


def _org_deployments(request):
    if request is None:
        return Deployment.objects.none()
    return deployments_for_org(organization=request.organization)


def _org_purposes(request):
    if request is None:
        return Purpose.objects.none()
    return purposes_for_org(organization=request.organization)


class _WorkFilter(django_filters.FilterSet):
    deployment = django_filters.ModelChoiceFilter(label=_("Deployment"), queryset=_org_deployments)
    purpose = django_filters.ModelChoiceFilter(label=_("Purpose"), queryset=_org_purposes)
    created_after = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte"
    )
    created_before = django_filters.DateFilter(
        label=_("Until"), field_name="created_at", lookup_expr="date__lte"
    )


class JobFilter(_WorkFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RecognitionJob.Status.choices)
    mode = django_filters.ChoiceFilter(label=_("Mode"), choices=RecognitionJob.Mode.choices)

    class Meta:
        model = RecognitionJob
        fields = ["status", "mode", "deployment", "purpose"]


def _unknown(job) -> int | None:
    # Faces found that named no one (unknown, ambiguous or not verified).
    return max(job.faces_found - job.matches, 0) if job.is_finished else None


JOBS = ListSpec(
    name="jobs",
    columns=(
        Column(
            "created",
            _("Created"),
            lambda j: j.created_at,
            "created_at",
            lambda j, slug: reverse("panel:rec_job", args=[slug, j.public_id]),
        ),
        Column("mode", _("Mode"), lambda j: j.get_mode_display(), "mode"),
        Column("deployment", _("Deployment"), lambda j: j.deployment.name, "deployment__name"),
        Column("purpose", _("Purpose"), lambda j: j.purpose.name, "purpose__name"),
        Column("status", _("Status"), lambda j: j.get_status_display(), "status"),
        Column("images", _("Images"), lambda j: f"{j.images_done}/{j.images_total}"),
        Column("faces", _("Faces"), lambda j: j.faces_found, "faces_found"),
        Column("matches", _("Matches"), lambda j: j.matches, "matches"),
        Column("unknown", _("Not named"), _unknown),
        Column("finished", _("Finished"), lambda j: j.finished_at, "finished_at"),
    ),
    default_sort="-created",
    filterset=JobFilter,
    search=("deployment__name", "purpose__name", "error_code"),
    search_label=_("Deployment, purpose or error"),
)


class EnrollmentFilter(_WorkFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Enrollment.Status.choices)
    template_state = django_filters.ChoiceFilter(
        label=_("Template"), choices=Enrollment.TemplateState.choices
    )

    class Meta:
        model = Enrollment
        fields = ["status", "template_state", "deployment", "purpose"]


def _enrollment_search(request, queryset, term):
    # A pseudonym is matched whole: a prefix search would let a reader enumerate them.
    return queryset.filter(subject_pseudonym__iexact=term) | queryset.filter(
        deployment__name__icontains=term
    )


ENROLLMENTS = ListSpec(
    name="enrollments",
    columns=(
        Column("created", _("Created"), lambda e: e.created_at, "created_at"),
        Column(
            "subject",
            _("Subject"),
            lambda e: e.subject_pseudonym,
            link=lambda e, slug: reverse("panel:subject_detail", args=[slug, e.subject_pseudonym]),
            mono=True,
        ),
        Column("deployment", _("Deployment"), lambda e: e.deployment.name, "deployment__name"),
        Column("purpose", _("Purpose"), lambda e: e.purpose.name, "purpose__name"),
        # The outcome says when the template was removed since (issue 19: honest states).
        Column("status", _("Status"), enrollment_outcome, "status"),
        Column(
            "template", _("Template"), lambda e: e.get_template_state_display(), "template_state"
        ),
        Column(
            "template_removed",
            _("Template removed"),
            lambda e: e.template_removed_at,
            "template_removed_at",
        ),
        Column("error", _("Error"), lambda e: e.error_code, "error_code"),
    ),
    default_sort="-created",
    filterset=EnrollmentFilter,
    search_with=_enrollment_search,
    search_label=_("Pseudonym or deployment"),
    subjects_of=lambda e: [str(e.subject_pseudonym)],
)
