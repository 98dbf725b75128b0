"""The panel's one route to an organization: membership or 404, then the permission or 403."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tenants.backends import role_in
from tenants.errors import ApplicationError
from tenants.models import Organization
from tenants.principals import actor_for
from tenants.rls import rls_scope


def org_view(perm: str | None):
    """Decorate a panel view taking ``org_slug``: resolve the organization and check ``perm``.

    A non-member gets 404 (the organization's existence is not confirmed); a member whose role
    lacks ``perm`` gets 403.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            org = Organization.objects.for_user(request.user).filter(slug=org_slug).first()
            if org is None:
                raise Http404("Organization not found")
            if perm is not None and not request.user.has_perm(perm, org):
                raise PermissionDenied
            request.organization = org
            # The second wall: from here on the database shows only this organization's rows.
            rls_scope(org.pk)
            request.role = role_in(request.user, org)
            request.actor = actor_for(request)
            if request.session.get("org_slug") != org.slug:
                request.session["org_slug"] = org.slug
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def apply_service(form, call):
    """Run ``call()``; on a domain error, attach its message to the form and return None."""
    try:
        return call()
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return None


def run_action(request, call) -> bool:
    """Run a button's service call; on a domain error show its message and return False."""
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    return True
