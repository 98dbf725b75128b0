"""Panel pages for purposes and their versions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from governance.models import Deployment, Purpose
from governance.selectors import purposes_for_org
from governance.services import deployment_attach_purpose, purpose_create, purpose_update
from portal.panel.access import apply_service, org_view, run_action
from portal.panel.governance import lists, next_steps
from portal.panel.governance.common import can_manage, scoped
from portal.panel.governance.forms import PurposeForm
from portal.panel.listing import Listing, list_page
from tenants import roles


@org_view(roles.VIEW_GOVERNANCE)
def purpose_list(request):
    rows = purposes_for_org(organization=request.organization).select_related("current_version")
    listing = list_page(request, lists.PURPOSES, rows)
    if not isinstance(listing, Listing):
        return listing
    return render(
        request,
        "panel/governance/purpose_list.html",
        {"listing": listing, "can_manage": can_manage(request)},
    )


@org_view(roles.VIEW_GOVERNANCE)
def purpose_detail(request, pk):
    purpose = scoped(Purpose, request, pk)
    return render(
        request,
        "panel/governance/purpose_detail.html",
        {
            "purpose": purpose,
            "versions": purpose.versions.order_by("-version"),
            "can_manage": can_manage(request),
            "next_steps": next_steps.after_purpose(request, purpose),
        },
    )


@org_view(roles.MANAGE_GOVERNANCE)
def purpose_create_view(request):
    """Declare a purpose; from R2's Fix link (``?deployment=``) also attach it there."""
    org = request.organization
    source = request.POST if request.method == "POST" else request.GET
    deployment_pk = source.get("deployment", "")
    deployment = (
        Deployment.objects.for_org(org).filter(pk=deployment_pk).first()
        if str(deployment_pk).isdigit()
        else None
    )
    form = PurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        purpose = apply_service(
            form, lambda: purpose_create(organization=org, actor=request.actor, **values)
        )
        if purpose:
            messages.success(request, _("Purpose declared (version 1)."))
            if deployment is not None and run_action(
                request,
                lambda: deployment_attach_purpose(
                    deployment=deployment, purpose=purpose, actor=request.actor
                ),
            ):
                messages.success(
                    request,
                    _("Attached to %(deployment)s.") % {"deployment": deployment.name},
                )
            return redirect("panel:gov_purpose_detail", org_slug=org.slug, pk=purpose.pk)
    return render(
        request,
        "panel/governance/form.html",
        {
            "form": form,
            "title": _("New purpose"),
            "hint": _("Saved, it is attached to %(deployment)s.") % {"deployment": deployment.name}
            if deployment
            else "",
            "hidden": {"deployment": deployment.pk} if deployment else {},
        },
    )


@org_view(roles.MANAGE_GOVERNANCE)
def purpose_edit(request, pk):
    purpose = scoped(Purpose, request, pk)
    form = PurposeForm(
        request.POST or None, editing=True, initial=PurposeForm.initial_from(purpose)
    )
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        updated = apply_service(
            form, lambda: purpose_update(purpose=purpose, actor=request.actor, **values)
        )
        if updated:
            messages.success(request, _("Purpose saved."))
            return redirect("panel:gov_purpose_detail", org_slug=request.organization.slug, pk=pk)
    return render(
        request,
        "panel/governance/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": purpose.name},
            "hint": _(
                "Changing the content makes a new version: consents to earlier versions must be "
                "renewed and the impact assessments of its deployments become stale."
            ),
        },
    )
