"""The consent history's codes as words in the page's language: who acted, by which channel."""

from django import template
from django.utils.translation import gettext_lazy as _

from consent.models import Consent

register = template.Library()

_ACTORS = {
    "user": _("staff"),
    "api_key": _("API key"),
    "subject": _("the person"),
    "system": _("system"),
}
_CHANNELS = dict(Consent.Channel.choices) | {"self_service": _("self-service page")}


@register.filter
def actor_kind(code: str) -> str:
    """Return who acted ("user" reads "staff"); an unknown code as recorded."""
    return str(_ACTORS.get(code, code))


@register.filter
def channel_name(code: str) -> str:
    """Return the channel's name ("kiosk" reads "Kiosk"); an unknown code as recorded."""
    return str(_CHANNELS.get(code, code))
