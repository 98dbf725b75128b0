"""Panel pages for deployments: list, detail, create, edit, devices, purposes, grants."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.gates import deployment_checks, deployment_processing_unmet
from governance.grant_labels import grant_label
from governance.models import Deployment, Device, Purpose
from governance.selectors import (
    deployment_operator_grants,
    deployments_for_org,
    members_for_grants,
)
from governance.services import (
    deployment_activate,
    deployment_attach_purpose,
    deployment_create,
    deployment_detach_purpose,
    deployment_grant_operator,
    deployment_retire,
    deployment_revoke_operator,
    deployment_set_signage,
    deployment_suspend,
    deployment_update,
    device_add,
    device_remove,
)
from portal.panel.access import apply_service, error_lines, org_view, run_action
from portal.panel.governance import lists, next_steps
from portal.panel.governance.common import can_manage, scoped
from portal.panel.governance.forms import (
    AttachPurposeForm,
    DeploymentForm,
    DeviceForm,
    GrantForm,
    SignageForm,
)
from portal.panel.governance.transfers import transfer_context
from portal.panel.listing import Listing, list_page
from tenants import roles
from tenants.errors import ApplicationError, RuleViolation


def _to_detail(request, deployment):
    return redirect(
        "panel:gov_deployment_detail", org_slug=request.organization.slug, pk=deployment.pk
    )


@org_view(roles.VIEW_GOVERNANCE)
def deployment_list(request):
    rows = deployments_for_org(organization=request.organization).prefetch_related(
        "purposes", "devices"
    )
    listing = list_page(request, lists.DEPLOYMENTS, rows)
    if not isinstance(listing, Listing):
        return listing
    return render(
        request,
        "panel/governance/deployment_list.html",
        {"listing": listing, "can_manage": can_manage(request)},
    )


def _detail_context(request, deployment, **extra):
    org = request.organization
    checks = deployment_checks(deployment)
    return {
        "deployment": deployment,
        "checks": checks,
        "checklist": next_steps.deployment_checklist(request, deployment, checks),
        # R2, R27, R29: what keeps new enrollments and jobs from starting on an active one.
        "processing_unmet": deployment_processing_unmet(deployment)
        if deployment.status == Deployment.Status.ACTIVE
        else [],
        "links": deployment.purpose_links.select_related("purpose", "purpose__current_version"),
        "devices": deployment.devices.all(),
        "grants": {
            u: [grant_label(c) for c in p]
            for u, p in deployment_operator_grants(deployment=deployment).items()
            if p
        },
        "can_manage": can_manage(request),
        "device_form": DeviceForm(),
        "attach_form": AttachPurposeForm(organization=org),
        "signage_form": SignageForm(),
        "grant_form": GrantForm(members=members_for_grants(organization=org)),
        "unmet": None,
        # R26: where the data is, and the legal basis of a transfer abroad.
        **transfer_context(deployment),
        **extra,
    }


@org_view(roles.VIEW_GOVERNANCE)
def deployment_detail(request, pk):
    deployment = scoped(Deployment, request, pk)
    return render(
        request, "panel/governance/deployment_detail.html", _detail_context(request, deployment)
    )


@org_view(roles.MANAGE_GOVERNANCE)
def deployment_create_view(request):
    form = DeploymentForm(
        request.POST or None, initial={"jurisdiction": request.organization.jurisdiction}
    )
    if request.method == "POST" and form.is_valid():
        deployment = apply_service(
            form,
            lambda: deployment_create(
                organization=request.organization, actor=request.actor, **form.cleaned_data
            ),
        )
        if deployment:
            messages.success(request, _("Deployment created as a draft."))
            return _to_detail(request, deployment)
    return render(
        request, "panel/governance/form.html", {"form": form, "title": _("New deployment")}
    )


@org_view(roles.MANAGE_GOVERNANCE)
def deployment_edit(request, pk):
    deployment = scoped(Deployment, request, pk)
    form = DeploymentForm(request.POST or None, instance=deployment)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in form.cleaned_data}
        fresh = Deployment.objects.get(pk=deployment.pk)
        if apply_service(
            form, lambda: deployment_update(deployment=fresh, actor=request.actor, **changes)
        ):
            messages.success(request, _("Deployment saved."))
            return _to_detail(request, deployment)
    return render(
        request,
        "panel/governance/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": deployment.name}},
    )


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def deployment_transition(request, pk, transition):
    """Activate, suspend or retire. A failed activation shows each unmet rule (422)."""
    deployment = scoped(Deployment, request, pk)
    services = {
        "activate": lambda: deployment_activate(deployment=deployment, actor=request.actor),
        "suspend": lambda: deployment_suspend(
            deployment=deployment, actor=request.actor, reason=request.POST.get("reason", "")
        ),
        "retire": lambda: deployment_retire(deployment=deployment, actor=request.actor),
    }
    try:
        services[transition]()
    except RuleViolation as exc:
        deployment.refresh_from_db()
        context = _detail_context(request, deployment, unmet=exc.details, error=exc.message)
        return render(request, "panel/governance/deployment_detail.html", context, status=422)
    except ApplicationError as exc:
        for line in error_lines(exc):
            messages.error(request, line)
    else:
        deployment.refresh_from_db()
        messages.success(
            request,
            _("Deployment status is now: %(status)s.")
            % {"status": deployment.get_status_display()},
        )
    return _to_detail(request, deployment)


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def deployment_signage(request, pk):
    deployment = scoped(Deployment, request, pk)
    form = SignageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Upload a photo with its location and date."))
    elif run_action(
        request,
        lambda: deployment_set_signage(
            deployment=deployment,
            actor=request.actor,
            photo=form.cleaned_data["photo"],
            location=form.cleaned_data["location"],
            taken_on=form.cleaned_data["taken_on"],
        ),
    ):
        messages.success(request, _("Signage evidence recorded."))
    return _to_detail(request, deployment)


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def deployment_device_add(request, pk):
    deployment = scoped(Deployment, request, pk)
    form = DeviceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A device needs an identifier and a kind."))
    elif run_action(
        request,
        lambda: device_add(deployment=deployment, actor=request.actor, **form.cleaned_data),
    ):
        messages.success(request, _("Device registered."))
    return _to_detail(request, deployment)


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def deployment_device_remove(request, pk, device_pk):
    deployment = scoped(Deployment, request, pk)
    device = scoped(Device, request, device_pk)
    if device.deployment_id == deployment.pk and run_action(
        request, lambda: device_remove(device=device, actor=request.actor)
    ):
        messages.success(request, _("Device removed."))
    return _to_detail(request, deployment)


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def deployment_purpose_attach(request, pk):
    deployment = scoped(Deployment, request, pk)
    form = AttachPurposeForm(request.POST, organization=request.organization)
    if not form.is_valid():
        messages.error(request, _("Choose a purpose."))
    elif run_action(
        request,
        lambda: deployment_attach_purpose(
            deployment=deployment, purpose=form.cleaned_data["purpose"], actor=request.actor
        ),
    ):
        messages.success(request, _("Purpose attached."))
    return _to_detail(request, deployment)


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def deployment_purpose_detach(request, pk, purpose_pk):
    deployment = scoped(Deployment, request, pk)
    purpose = scoped(Purpose, request, purpose_pk)
    if run_action(
        request,
        lambda: deployment_detach_purpose(
            deployment=deployment, purpose=purpose, actor=request.actor
        ),
    ):
        messages.success(request, _("Purpose detached."))
    return _to_detail(request, deployment)


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def deployment_grant(request, pk):
    deployment = scoped(Deployment, request, pk)
    form = GrantForm(request.POST, members=members_for_grants(organization=request.organization))
    if not form.is_valid():
        messages.error(request, _("Choose a member and at least one permission."))
    elif run_action(
        request,
        lambda: deployment_grant_operator(
            deployment=deployment,
            user=form.cleaned_data["user"],
            actor=request.actor,
            perms=form.cleaned_data["permissions"],
        ),
    ):
        messages.success(request, _("Permissions granted."))
    return _to_detail(request, deployment)


@require_POST
@org_view(roles.MANAGE_GOVERNANCE)
def deployment_revoke(request, pk, user_pk):
    deployment = scoped(Deployment, request, pk)
    member = members_for_grants(organization=request.organization).filter(pk=user_pk).first()
    if member is None:
        # Another organization's person, or nobody: the same 404 as for any object in a path.
        raise Http404
    if run_action(
        request,
        lambda: deployment_revoke_operator(deployment=deployment, user=member, actor=request.actor),
    ):
        messages.success(request, _("Permissions revoked."))
    return _to_detail(request, deployment)
