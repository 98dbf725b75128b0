"""Panel pages for the organization itself: dashboard, details, members, API keys."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.panel.access import apply_service, org_view, run_action
from portal.panel.dashboard import dashboard_figures
from portal.panel.dashboard_charts import dashboard_charts
from portal.panel.forms import ApiKeyForm, InviteForm, OrganizationForm, RoleForm
from portal.panel.todo import dashboard_todo
from tenants import roles
from tenants.selectors import (
    api_keys_for_org,
    human_memberships_for_org,
    open_invitations_for_org,
    organizations_of_user,
)
from tenants.services import (
    api_key_create,
    api_key_revoke,
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
    organization_update,
)


def home(request):
    """Send a signed-in person to their organization (the last one chosen, else the first)."""
    if not request.user.is_authenticated:
        return redirect("login")
    orgs = organizations_of_user(user=request.user)
    chosen = orgs.filter(slug=request.session.get("org_slug", "")).first() or orgs.first()
    if chosen is None:
        return render(request, "panel/no_organization.html", status=403)
    return redirect("panel:dashboard", org_slug=chosen.slug)


@org_view(roles.VIEW_ORGANIZATION)
def dashboard(request):
    org, user = request.organization, request.user
    return render(
        request,
        "panel/dashboard.html",
        {
            "figures": dashboard_figures(organization=org, user=user),
            "todo": dashboard_todo(organization=org, user=user),
            "charts": dashboard_charts(organization=org, user=user),
            "can_verify": user.has_perm(roles.VERIFY_AUDIT, org),
        },
    )


@org_view(roles.CHANGE_ORGANIZATION)
def organization_settings(request):
    org = request.organization
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        # ModelForm validation wrote the new values onto the instance; the service must compare
        # against what is stored, so it gets a fresh copy.
        org.refresh_from_db()
        if apply_service(
            form, lambda: organization_update(organization=org, actor=request.actor, **changes)
        ):
            messages.success(request, _("Organization details saved."))
            return redirect("panel:settings", org_slug=org.slug)
    return render(request, "panel/settings.html", {"form": form})


@org_view(roles.VIEW_MEMBERS)
def members(request):
    org = request.organization
    can_manage = request.user.has_perm(roles.MANAGE_MEMBERS, org)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            return render(request, "403.html", status=403)
        invitation = form.is_valid() and apply_service(
            form,
            lambda: invitation_create(
                organization=org,
                actor=request.actor,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            ),
        )
        if invitation:
            messages.success(
                request,
                _("Invitation sent to %(email)s. They join once they accept it.")
                % {"email": invitation.email},
            )
            return redirect("panel:members", org_slug=org.slug)
    return render(
        request,
        "panel/members.html",
        {
            "members": human_memberships_for_org(organization=org),
            "invitations": open_invitations_for_org(organization=org) if can_manage else [],
            "form": form,
            "can_manage": can_manage,
            "role_form": RoleForm(),
        },
    )


@require_POST
@org_view(roles.MANAGE_MEMBERS)
def invitation_revoke_view(request, pk):
    invitation = open_invitations_for_org(organization=request.organization).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    if run_action(request, lambda: invitation_revoke(invitation=invitation, actor=request.actor)):
        messages.success(request, _("Invitation withdrawn."))
    return redirect("panel:members", org_slug=request.organization.slug)


def _membership(request, pk):
    membership = human_memberships_for_org(organization=request.organization).filter(pk=pk).first()
    if membership is None:
        raise Http404
    return membership


@require_POST
@org_view(roles.MANAGE_MEMBERS)
def member_role(request, pk):
    membership = _membership(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    elif run_action(
        request,
        lambda: membership_change_role(
            membership=membership, actor=request.actor, role=form.cleaned_data["role"]
        ),
    ):
        messages.success(request, _("Role changed."))
    return redirect("panel:members", org_slug=request.organization.slug)


@require_POST
@org_view(roles.MANAGE_MEMBERS)
def member_remove(request, pk):
    membership = _membership(request, pk)
    if run_action(request, lambda: membership_remove(membership=membership, actor=request.actor)):
        messages.success(request, _("Member removed."))
    return redirect("panel:members", org_slug=request.organization.slug)


@org_view(roles.MANAGE_API_KEYS)
def api_keys(request):
    org = request.organization
    form = ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        created = apply_service(
            form,
            lambda: api_key_create(
                organization=org,
                actor=request.actor,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
            ),
        )
        if created:
            form = ApiKeyForm()
    return render(
        request,
        "panel/api_keys.html",
        {
            "keys": api_keys_for_org(organization=org),
            "form": form,
            "created_key": created[0] if created else None,
            "created_secret": created[1] if created else None,
        },
    )


@require_POST
@org_view(roles.MANAGE_API_KEYS)
def api_key_revoke_view(request, pk):
    key = api_keys_for_org(organization=request.organization).filter(pk=pk).first()
    if key is None:
        raise Http404
    if run_action(request, lambda: api_key_revoke(api_key=key, actor=request.actor)):
        messages.success(request, _("API key revoked."))
    return redirect("panel:api_keys", org_slug=request.organization.slug)
