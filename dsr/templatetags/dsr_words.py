"""A request's recorded identity check in the page's language, where the portal wrote it."""

from django import template
from django.utils.translation import gettext_lazy as _

from dsr.services.filing import SELF_SERVICE_IDENTITY

register = template.Library()

# What the portal records itself (stored in English, the audit's language); staff's own words
# are shown as they typed them.
_PORTAL_WORDS = {SELF_SERVICE_IDENTITY: _("signed in on the self-service pages")}


@register.filter
def identity_check_text(recorded: str) -> str:
    return str(_PORTAL_WORDS.get(recorded, recorded))
