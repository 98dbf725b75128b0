"""Helpers of the governance panel pages."""

from django.http import Http404

from tenants import roles


def scoped(model, request, pk, **select):
    """Return the organization's row or raise 404 (another organization's rows are never found)."""
    obj = model.objects.for_org(request.organization).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def can_manage(request) -> bool:
    return request.user.has_perm(roles.MANAGE_GOVERNANCE, request.organization)
