"""The panel's one route to an organization: membership or 404, then the permission or 403."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

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


def error_lines(exc: ApplicationError) -> list[str]:
    """Return what the panel shows for a domain error: its message, then each rule it names
    with that rule's message and fix hint (R15, R27 ...), one line each."""
    lines = [exc.message]
    for detail in exc.details if isinstance(exc.details, list) else []:
        if not isinstance(detail, dict):
            continue
        text = detail.get("message", "")
        fix = detail.get("fix")
        # A hint in words is for people; a structured fix names the API call that fixes the
        # rule (issue 18), which is for API clients, not for the panel.
        if isinstance(fix, str) and fix:
            text = f"{text} ({_('fix')}: {fix})" if text else fix
        rule = detail.get("rule", "")
        lines.append(f"{rule}: {text}" if rule else text)
    return [line for line in lines if line]


def apply_service(form, call):
    """Run ``call()``; on a domain error put its lines (``error_lines``) on the form, return None.

    The panel's one way to show a service's refusal on a form; ``run_action`` is the same for a
    button, as messages.
    """
    try:
        return call()
    except ApplicationError as exc:
        for line in error_lines(exc):
            form.add_error(None, line)
        return None


def run_action(request, call) -> bool:
    """Run a button's service call; on a domain error show its lines and return False."""
    try:
        call()
    except ApplicationError as exc:
        for line in error_lines(exc):
            messages.error(request, line)
        return False
    return True
