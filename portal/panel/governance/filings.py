"""Panel pages for filings with the CAC, the filing profile and the pack."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.filing import (
    filing_accept,
    filing_cancel,
    filing_evaluate,
    filing_profile_get,
    filing_profile_update,
    filing_submit,
    filing_threshold,
    stored_individuals_count,
)
from governance.filing_group import filing_group
from governance.filing_pack import filing_pack_build
from governance.models import Filing
from portal.panel.access import apply_service, org_view, run_action
from portal.panel.governance import lists
from portal.panel.governance.common import can_manage, scoped
from portal.panel.governance.forms import FilingNumberForm, FilingProfileForm, ReasonForm
from portal.panel.listing import Listing, list_page
from tenants import roles


def _to_list(request):
    return redirect("panel:gov_filings", org_slug=request.organization.slug)


@org_view(roles.VIEW_GOVERNANCE)
def filing_list(request):
    org = request.organization
    manage = can_manage(request)
    profile = filing_profile_get(organization=org)
    form = FilingProfileForm(request.POST or None, instance=profile)
    if request.method == "POST":
        if not manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            if apply_service(
                form,
                lambda: filing_profile_update(organization=org, actor=request.actor, **changes),
            ):
                messages.success(request, _("Filing details saved."))
                return _to_list(request)
    listing = list_page(request, lists.FILINGS, Filing.objects.for_org(org))
    if not isinstance(listing, Listing):
        return listing
    return render(
        request,
        "panel/governance/filing_list.html",
        {
            "listing": listing,
            "form": form,
            "can_manage": manage,
            "stored_count": stored_individuals_count(organization=org),
            "group": filing_group(organization=org),
            "threshold": filing_threshold(),
            "number_form": FilingNumberForm(),
            "reason_form": ReasonForm(),
        },
    )


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def filing_evaluate_view(request):
    org = request.organization
    count = stored_individuals_count(organization=org)
    if run_action(
        request, lambda: filing_evaluate(organization=org, stored_count=count, actor=request.actor)
    ):
        messages.success(request, _("Evaluated: %d individuals stored.") % count)
    return _to_list(request)


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def filing_action(request, pk, what):
    filing = scoped(Filing, request, pk)
    number = request.POST.get("filing_number", "")
    calls = {
        "submit": lambda: filing_submit(filing=filing, actor=request.actor, filing_number=number),
        "accept": lambda: filing_accept(filing=filing, actor=request.actor, filing_number=number),
        "cancel": lambda: filing_cancel(
            filing=filing, actor=request.actor, reason=request.POST.get("reason", "")
        ),
    }
    if what in calls and run_action(request, calls[what]):
        messages.success(request, _("Filing updated."))
    return _to_list(request)


@org_view(roles.VIEW_GOVERNANCE)
def filing_pack_download(request, pk=None):
    org = request.organization
    filing = scoped(Filing, request, pk) if pk else None
    body = filing_pack_build(organization=org, actor=request.actor, filing=filing)
    response = HttpResponse(body, content_type="application/zip")
    name = f"filing-pack-{org.slug}-{timezone.localdate().isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
