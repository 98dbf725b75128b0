"""How the per-deployment grants read on pages: the codenames are for code, not for people."""

from django.utils.translation import gettext_lazy as _

GRANT_LABELS = {
    "enroll_faces": _("enroll faces"),
    "run_job": _("run recognition jobs"),
    "view_results": _("view recognition results"),
}


def grant_label(codename: str) -> str:
    """Return the grant's label in the active language (the codename if none is known)."""
    return str(GRANT_LABELS.get(codename, codename))
