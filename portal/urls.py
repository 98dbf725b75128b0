from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal.api.baseline import BareView, FloorView
from portal.health import healthz
from portal.metrics import metrics

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("tenants.urls")),
    path("api/v1/", include(("portal.api.urls", "api"), namespace="api")),
    # CompreFace's paths, for its clients (docs/compreface.md); on a host of their own too.
    path("compreface/api/v1/", include(("recognition.compreface.urls", "compreface"))),
    path("", include("governance.urls")),
    path("", include("consent.urls")),
    path("", include("recognition.urls")),
    path("", include("dsr.urls")),
    path("", include("portal.panel.urls")),
]
if settings.PORTAL_BENCH:
    # bench/load.py's baselines; never mounted in production (portal/settings.py refuses it).
    urlpatterns += [
        path("bench/bare/", BareView.as_view(), name="bench-bare"),
        path("bench/floor/", FloorView.as_view(), name="bench-floor"),
    ]


def handler500(request, *args, **kwargs):
    """API clients get the JSON error format; people get the error page."""
    from django.views.defaults import server_error as page_error

    from portal.api.errors import server_error

    if request.path.startswith("/api/"):
        return server_error(request)
    return page_error(request)


def handler404(request, exception=None, *args, **kwargs):
    from django.views.defaults import page_not_found

    from portal.api.errors import not_found

    if request.path.startswith(("/api/", "/compreface/")):
        return not_found(request)
    return page_not_found(request, exception)
