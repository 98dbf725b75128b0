"""The governance lists' columns, filters and search (portal.panel.listing)."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.gates import deployment_checks
from governance.models import (
    Assessment,
    Complaint,
    Deployment,
    Filing,
    Incident,
    Notice,
    Purpose,
)
from governance.selectors import deployments_for_org, purposes_for_org
from portal.panel.listing import Column, ListSpec


def _org_deployments(request):
    return (
        deployments_for_org(organization=request.organization)
        if request
        else Deployment.objects.none()
    )


def _org_purposes(request):
    return (
        purposes_for_org(organization=request.organization) if request else Purpose.objects.none()
    )


def _url(name):
    return lambda row, slug: reverse(f"panel:{name}", args=[slug, row.pk])


def deployment_unmet_count(deployment) -> int:
    """Return how many activation rules the deployment does not meet (governance's checks)."""
    if not hasattr(deployment, "_unmet_count"):
        deployment._unmet_count = sum(
            1 for check in deployment_checks(deployment) if check.applicable and not check.met
        )
    return deployment._unmet_count


def _place(deployment) -> str:
    # A place where face recognition is banned (R1) says so in words, not by colour.
    label = deployment.get_place_type_display()
    if not deployment.is_banned_place:
        return label
    return _("%(place)s (forbidden)") % {"place": label}


class DeploymentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Deployment.Status.choices)
    place_type = django_filters.ChoiceFilter(
        label=_("Place type"), choices=Deployment.PlaceType.choices
    )
    storage_mode = django_filters.ChoiceFilter(
        label=_("Storage"), choices=Deployment.StorageMode.choices
    )

    class Meta:
        model = Deployment
        fields = ["status", "place_type", "storage_mode"]


DEPLOYMENTS = ListSpec(
    name="deployments",
    columns=(
        Column("name", _("Name"), lambda d: d.local_name, "name", _url("gov_deployment_detail")),
        Column("address", _("Address"), lambda d: f"{d.local_address}, {d.province}", "province"),
        Column("place_type", _("Place type"), _place, "place_type"),
        Column("storage", _("Storage"), lambda d: d.get_storage_mode_display(), "storage_mode"),
        Column("devices", _("Devices"), lambda d: len(d.devices.all())),
        Column("status", _("Status"), lambda d: d.get_status_display(), "status"),
        Column("unmet", _("Unmet rules"), deployment_unmet_count),
        Column("created", _("Created"), lambda d: d.created_at, "created_at"),
    ),
    default_sort="name",
    filterset=DeploymentFilter,
    search=("name", "address", "province"),
    search_label=_("Name or address"),
)


class PurposeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Purpose.Kind.choices)

    class Meta:
        model = Purpose
        fields = ["kind"]


PURPOSES = ListSpec(
    name="purposes",
    columns=(
        Column("name", _("Name"), lambda p: p.local_name, "name", _url("gov_purpose_detail")),
        Column("kind", _("Kind"), lambda p: p.get_kind_display(), "kind"),
        Column(
            "version",
            _("Version"),
            lambda p: p.current_version.version if p.current_version else None,
            "current_version__version",
        ),
        Column(
            "retention",
            _("Retention (days)"),
            lambda p: p.current_version.retention_days if p.current_version else None,
            "current_version__retention_days",
        ),
        Column(
            "review",
            _("Human review"),
            lambda p: p.current_version.significant_effect if p.current_version else None,
        ),
        Column("created", _("Created"), lambda p: p.created_at, "created_at"),
    ),
    default_sort="name",
    filterset=PurposeFilter,
    search=("name",),
    search_label=_("Name"),
)


class NoticeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Notice.Status.choices)
    language = django_filters.ChoiceFilter(label=_("Language"), choices=Notice.Language.choices)
    purpose = django_filters.ModelChoiceFilter(
        label=_("Purpose"), field_name="purpose_version__purpose", queryset=_org_purposes
    )

    class Meta:
        model = Notice
        fields = ["status", "language", "purpose"]


NOTICES = ListSpec(
    name="notices",
    columns=(
        Column(
            "purpose",
            _("Purpose"),
            lambda n: n.purpose_version.purpose.name,
            "purpose_version__purpose__name",
            _url("gov_notice_detail"),
        ),
        Column(
            "version", _("Version"), lambda n: n.purpose_version.version, "purpose_version__version"
        ),
        Column("language", _("Language"), lambda n: n.get_language_display(), "language"),
        Column("status", _("Status"), lambda n: n.get_status_display(), "status"),
        Column("published", _("Published"), lambda n: n.published_at, "published_at"),
    ),
    default_sort="-published",
    filterset=NoticeFilter,
    search=("purpose_version__purpose__name", "controller_name"),
    search_label=_("Purpose or controller"),
)


class AssessmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Assessment.Status.choices)
    deployment = django_filters.ModelChoiceFilter(label=_("Deployment"), queryset=_org_deployments)

    class Meta:
        model = Assessment
        fields = ["status", "deployment"]


ASSESSMENTS = ListSpec(
    name="assessments",
    columns=(
        Column("title", _("Title"), lambda a: a.title, "title", _url("gov_assessment_detail")),
        Column("deployment", _("Deployment"), lambda a: a.deployment.name, "deployment__name"),
        Column("status", _("Status"), lambda a: a.get_status_display(), "status"),
        Column("signed_off", _("Signed off"), lambda a: a.signed_off_at, "signed_off_at"),
        Column("stale_reason", _("Why stale"), lambda a: a.stale_reason),
        Column("retain_until", _("Kept until"), lambda a: a.retain_until, "retain_until"),
    ),
    default_sort="-signed_off",
    filterset=AssessmentFilter,
    search=("title", "deployment__name"),
    search_label=_("Title or deployment"),
)


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Incident.Status.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Incident.Severity.choices)

    class Meta:
        model = Incident
        fields = ["status", "severity"]


INCIDENTS = ListSpec(
    name="incidents",
    columns=(
        Column("discovered", _("Discovered"), lambda i: i.discovered_at, "discovered_at"),
        Column("title", _("Title"), lambda i: i.title, "title", _url("gov_incident_detail")),
        Column("severity", _("Severity"), lambda i: i.get_severity_display(), "severity"),
        Column("status", _("Status"), lambda i: i.get_status_display(), "status"),
        Column("affected", _("People affected"), lambda i: i.affected_count, "affected_count"),
        Column(
            "authorities",
            _("Authorities notified"),
            lambda i: i.authorities_notified_at,
            "authorities_notified_at",
        ),
    ),
    default_sort="-discovered",
    filterset=IncidentFilter,
    search=("title",),
    search_label=_("Title"),
)


class ComplaintFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=Complaint.State.choices)
    deployment = django_filters.ModelChoiceFilter(label=_("Deployment"), queryset=_org_deployments)

    class Meta:
        model = Complaint
        fields = ["state", "deployment"]


COMPLAINTS = ListSpec(
    name="complaints",
    columns=(
        Column("reference", _("Reference"), lambda c: c.pk, "pk", _url("gov_complaint_detail")),
        Column("deployment", _("Deployment"), lambda c: c.deployment.name, "deployment__name"),
        # The complainant's name is personal data: masked for operators and auditors.
        Column("name", _("Name"), lambda c: c.contact_name, "contact_name", personal=True),
        Column("received", _("Received"), lambda c: c.received_at, "received_at"),
        Column("deadline", _("Deadline"), lambda c: c.deadline, "deadline"),
        Column("overdue", _("Overdue"), lambda c: c.is_overdue),
        Column("state", _("State"), lambda c: c.get_state_display(), "state"),
    ),
    default_sort="-received",
    filterset=ComplaintFilter,
    search=("deployment__name",),
    search_label=_("Deployment"),
)


class FilingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Filing.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Filing.Kind.choices)

    class Meta:
        model = Filing
        fields = ["status", "kind"]


def _filing_deadline(filing) -> str:
    # Estimated and overdue are said in words (R35), not by colour.
    notes = [str(_("estimated"))] if filing.deadline_estimated else []
    if filing.is_overdue:
        notes.append(str(_("overdue")))
    return f"{filing.deadline} ({', '.join(notes)})" if notes else str(filing.deadline)


FILINGS = ListSpec(
    name="filings",
    columns=(
        Column("kind", _("Kind"), lambda f: f.get_kind_display(), "kind"),
        Column("reason", _("Reason"), lambda f: f.reason),
        Column("triggered", _("Triggered"), lambda f: f.trigger_date, "trigger_date"),
        Column("deadline", _("Deadline"), _filing_deadline, "deadline"),
        Column("status", _("Status"), lambda f: f.get_status_display(), "status"),
        Column("number", _("Filing number"), lambda f: f.filing_number, "filing_number"),
    ),
    default_sort="deadline",
    filterset=FilingFilter,
    search=("reason", "filing_number", "authority"),
    search_label=_("Reason, number or authority"),
    actions_template="panel/governance/_filing_actions.html",
)
