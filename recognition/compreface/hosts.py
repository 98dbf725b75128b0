"""Serve CompreFace's paths at ``/api/v1/`` on a host of their own.

CompreFace's SDKs take a domain and a port and append the fixed ``/api/v1/...`` paths, which
on the portal's own host belong to the portal's API. On a host named in COMPREFACE_HOSTS
(``compreface.portal.example``, pointing at the same servers) this middleware switches the
request to a URL configuration that holds CompreFace's paths and nothing else, so the two
APIs can never answer for each other. Elsewhere the same views are at ``/compreface/api/v1/``.
"""

from django.conf import settings

HOST_URLCONF = "recognition.compreface.host_urls"


def _host_name(request) -> str:
    # The raw header: Django's get_host() also checks ALLOWED_HOSTS, which CommonMiddleware
    # does next anyway; here only the name matters, without its port.
    host = request.META.get("HTTP_HOST", "").strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


class CompreFaceHostMiddleware:
    """Route requests for a CompreFace host to CompreFace's URL configuration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _host_name(request) in settings.COMPREFACE_HOSTS:
            request.urlconf = HOST_URLCONF
        return self.get_response(request)
