"""Panel pages for purposes and their versions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from governance.models import Purpose
from governance.selectors import purposes_for_org
from governance.services import purpose_create, purpose_update
from portal.panel.access import apply_service, org_view
from portal.panel.governance.common import can_manage, scoped
from portal.panel.governance.forms import PurposeForm
from tenants import roles


@org_view(roles.VIEW_GOVERNANCE)
def purpose_list(request):
    return render(
        request,
        "panel/governance/purpose_list.html",
        {
            "purposes": purposes_for_org(organization=request.organization),
            "can_manage": can_manage(request),
        },
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
        },
    )


@org_view(roles.MANAGE_GOVERNANCE)
def purpose_create_view(request):
    form = PurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        purpose = apply_service(
            form,
            lambda: purpose_create(
                organization=request.organization, actor=request.actor, **values
            ),
        )
        if purpose:
            messages.success(request, _("Purpose declared (version 1)."))
            return redirect(
                "panel:gov_purpose_detail", org_slug=request.organization.slug, pk=purpose.pk
            )
    return render(request, "panel/governance/form.html", {"form": form, "title": _("New purpose")})


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
