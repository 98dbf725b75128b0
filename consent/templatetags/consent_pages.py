"""The /me/ menu's links to pages of higher apps, named in settings (consent imports none)."""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def self_service_pages() -> list[tuple[str, str]]:
    """Return (address, label) of each page in settings.CONSENT_SELF_SERVICE_PAGES."""
    pages = getattr(settings, "CONSENT_SELF_SERVICE_PAGES", ())
    return [(reverse(name), label) for name, label in pages]
