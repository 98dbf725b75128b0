"""Codes the portal wrote, in the page's language: a request's identity check, and the states
and events of a consent imported from another organization's portal (R46)."""

from django import template
from django.utils.translation import gettext_lazy as _

from consent.models import Consent, ConsentEvent
from dsr.services.filing import SELF_SERVICE_IDENTITY

register = template.Library()

# What the portal records itself (stored in English, the audit's language); staff's own words
# are shown as they typed them.
_PORTAL_WORDS = {SELF_SERVICE_IDENTITY: _("signed in on the self-service pages")}


@register.filter
def identity_check_text(recorded: str) -> str:
    return str(_PORTAL_WORDS.get(recorded, recorded))


# An imported consent's states and events are the sending portal's codes, the same as ours;
# one another portal may add is shown as recorded.
_CONSENT_STATES = dict(Consent.State.choices)
_CONSENT_EVENTS = dict(ConsentEvent.Type.choices)


@register.filter
def consent_state_name(code: str) -> str:
    return str(_CONSENT_STATES.get(code, code or ""))


@register.filter
def consent_event_name(code: str) -> str:
    return str(_CONSENT_EVENTS.get(code, code or ""))
