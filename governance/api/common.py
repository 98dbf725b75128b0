"""Pieces shared by the governance API views."""

from django.utils.translation import gettext as _

from tenants.errors import NotFound


def scoped_or_404(model, organization, pk, label: str):
    """Return the organization's ``model`` row with this pk; another org's answers 404."""
    obj = model.objects.for_org(organization).filter(pk=pk).first() if pk else None
    if obj is None:
        raise NotFound(_("%(label)s not found.") % {"label": label})
    return obj
