"""The dashboard's to-do list: what is unmet, due or owed, each with the page that fixes it."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dsr.models import DataRequest
from dsr.services.deadlines import dsr_settings_for
from governance.gates import deployment_checks
from governance.models import Assessment, Complaint, Deployment
from governance.selectors import deployments_for_org, filings_pending
from portal.purge_backlog import purge_backlog
from recognition.models import RecognitionResult
from tenants import roles

# The to-do list is for acting on: past this many items of one kind, the list page has the rest.
PER_KIND = 10


@dataclass(frozen=True)
class Todo:
    """One thing to do: how urgent, what, and the page where it is done."""

    urgency: str  # "overdue", "due" or "open": shown as a word, not as a colour alone
    kind: str
    text: str
    url: str

    @property
    def urgency_label(self) -> str:
        return {"overdue": _("Overdue"), "due": _("Due soon"), "open": _("To do")}[self.urgency]


def _unmet_rules(organization) -> list[Todo]:
    """Every deployment not retired with activation rules unmet (governance's checks)."""
    items = []
    deployments = deployments_for_org(organization=organization).exclude(
        status=Deployment.Status.RETIRED
    )
    for deployment in deployments.order_by("name", "pk"):
        unmet = [c for c in deployment_checks(deployment) if c.applicable and not c.met]
        if not unmet:
            continue
        detail = reverse("panel:gov_deployment_detail", args=[organization.slug, deployment.pk])
        # Active deployments with an unmet rule are suspended (R2, R27, R29): most urgent.
        urgency = "overdue" if deployment.status == Deployment.Status.ACTIVE else "open"
        items.append(
            Todo(
                urgency,
                "rules",
                ngettext(
                    "%(name)s: %(n)d rule unmet (%(rules)s)",
                    "%(name)s: %(n)d rules unmet (%(rules)s)",
                    len(unmet),
                )
                % {
                    "name": deployment.name,
                    "n": len(unmet),
                    "rules": ", ".join(c.rule for c in unmet),
                },
                # The first unmet rule's own fix page where it has one, else the deployment.
                unmet[0].fix_url or detail,
            )
        )
    return items


def _requests(organization, now) -> list[Todo]:
    """R50: open requests near or past their deadline."""
    soon = now + timedelta(days=dsr_settings_for(organization=organization)["due_soon_days"])
    due = (
        DataRequest.objects.for_org(organization)
        .open()
        .filter(due_at__lte=soon)
        .order_by("due_at", "pk")[:PER_KIND]
    )
    return [
        Todo(
            "overdue" if r.due_at <= now else "due",
            "request",
            _("Request #%(n)d (%(kind)s) due %(due)s")
            % {"n": r.pk, "kind": r.get_kind_display(), "due": timezone.localdate(r.due_at)},
            reverse("panel:dsr_detail", args=[organization.slug, r.pk]),
        )
        for r in due
    ]


def _filings(organization, today) -> list[Todo]:
    """R35: filings still to be made, by deadline."""
    return [
        Todo(
            "overdue" if f.deadline < today else "due",
            "filing",
            _("%(kind)s filing due %(deadline)s")
            % {"kind": f.get_kind_display(), "deadline": f.deadline},
            reverse("panel:gov_filings", args=[organization.slug]),
        )
        for f in filings_pending(organization=organization).filter(status="open")[:PER_KIND]
    ]


def _stale_assessments(organization) -> list[Todo]:
    """R29: assessments made stale by a change or an incident, to be redone."""
    stale = (
        Assessment.objects.for_org(organization)
        .filter(status=Assessment.Status.STALE)
        .select_related("deployment")
        .order_by("stale_at", "pk")[:PER_KIND]
    )
    return [
        Todo(
            "open",
            "assessment",
            _("Reassess %(title)s (%(deployment)s): %(reason)s")
            % {"title": a.title, "deployment": a.deployment.name, "reason": a.stale_reason},
            reverse("panel:gov_assessment_detail", args=[organization.slug, a.pk]),
        )
        for a in stale
    ]


def _complaints(organization, today) -> list[Todo]:
    """R52: open complaints past or within three days of their deadline."""
    rows = (
        Complaint.objects.for_org(organization)
        .filter(Q(state=Complaint.State.OPEN) & Q(deadline__lte=today + timedelta(days=3)))
        .select_related("deployment")
        .order_by("deadline", "pk")[:PER_KIND]
    )
    return [
        Todo(
            "overdue" if c.deadline < today else "due",
            "complaint",
            _("Complaint %(n)d on %(deployment)s due %(deadline)s")
            % {"n": c.pk, "deployment": c.deployment.name, "deadline": c.deadline},
            reverse("panel:gov_complaint_detail", args=[organization.slug, c.pk]),
        )
        for c in rows
    ]


def _purges(organization, now) -> list[Todo]:
    """Template deletions owed after a withdrawal, expiry or erasure (R13, R22)."""
    owed = purge_backlog(organization_id=organization.pk)
    count = owed.count()
    if not count:
        return []
    # The reaction is retried with backoff; owed for over an hour means it keeps failing.
    late = owed.filter(created_at__lte=now - timedelta(hours=1)).exists()
    return [
        Todo(
            "overdue" if late else "due",
            "purge",
            ngettext(
                "%(n)d template deletion pending after a withdrawal, expiry or erasure",
                "%(n)d template deletions pending after a withdrawal, expiry or erasure",
                count,
            )
            % {"n": count},
            # The consents list filters the withdrawals; each subject page shows its purge state.
            reverse("panel:consents", args=[organization.slug]),
        )
    ]


def _reviews(organization) -> list[Todo]:
    """R43: answers awaiting a person's review before they take effect."""
    count = RecognitionResult.objects.for_org(organization).pending_review().count()
    if not count:
        return []
    return [
        Todo(
            "due",
            "review",
            ngettext(
                "%(n)d match awaiting human review",
                "%(n)d matches awaiting human review",
                count,
            )
            % {"n": count},
            reverse("panel:rec_review", args=[organization.slug]),
        )
    ]


_ORDER = {"overdue": 0, "due": 1, "open": 2}


def dashboard_todo(*, organization, user) -> list[Todo]:
    """Return what ``user`` may act on in ``organization``, most urgent first."""
    now = timezone.now()
    today = timezone.localdate()
    items: list[Todo] = []
    if user.has_perm(roles.VIEW_GOVERNANCE, organization):
        items += _unmet_rules(organization)
        items += _filings(organization, today)
        items += _stale_assessments(organization)
    if user.has_perm(roles.HANDLE_REQUESTS, organization):
        items += _requests(organization, now)
        items += _complaints(organization, today)
    if user.has_perm(roles.VIEW_SUBJECTS, organization):
        items += _purges(organization, now)
    if user.has_perm(roles.REVIEW_RESULTS, organization):
        items += _reviews(organization)
    return sorted(items, key=lambda item: _ORDER[item.urgency])
