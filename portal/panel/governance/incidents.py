"""Panel pages for the incident register."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.models import Incident
from governance.services import (
    incident_close,
    incident_create,
    incident_record_notification,
)
from portal.panel.access import apply_service, org_view, run_action
from portal.panel.governance import lists
from portal.panel.governance.common import can_manage, scoped
from portal.panel.governance.forms import IncidentForm
from portal.panel.listing import Listing, list_page
from tenants import roles


@org_view(roles.VIEW_GOVERNANCE)
def incident_list(request):
    org = request.organization
    manage = can_manage(request)
    form = IncidentForm(request.POST or None, organization=org)
    if request.method == "POST":
        if not manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            created = apply_service(
                form,
                lambda: incident_create(organization=org, actor=request.actor, **form.cleaned_data),
            )
            if created:
                incident, stale = created
                messages.success(request, _("Incident registered."))
                if stale:
                    messages.warning(
                        request,
                        _(
                            "%d impact assessment(s) are now stale. Nothing was suspended: "
                            "decide whether the affected deployments must stop."
                        )
                        % len(stale),
                    )
                return redirect("panel:gov_incident_detail", org_slug=org.slug, pk=incident.pk)
    listing = list_page(request, lists.INCIDENTS, Incident.objects.for_org(org))
    if not isinstance(listing, Listing):
        return listing
    return render(
        request,
        "panel/governance/incident_list.html",
        {"listing": listing, "form": form, "can_manage": manage},
    )


@org_view(roles.VIEW_GOVERNANCE)
def incident_detail(request, pk):
    return render(
        request,
        "panel/governance/incident_detail.html",
        {"incident": scoped(Incident, request, pk), "can_manage": can_manage(request)},
    )


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def incident_action(request, pk, what):
    incident = scoped(Incident, request, pk)
    calls = {
        "notify-authorities": lambda: incident_record_notification(
            incident=incident, actor=request.actor, authorities=True
        ),
        "notify-individuals": lambda: incident_record_notification(
            incident=incident, actor=request.actor, individuals=True
        ),
        "close": lambda: incident_close(incident=incident, actor=request.actor),
    }
    if what in calls and run_action(request, calls[what]):
        messages.success(request, _("Incident updated."))
    return redirect("panel:gov_incident_detail", org_slug=request.organization.slug, pk=pk)
