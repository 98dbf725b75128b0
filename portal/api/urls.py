"""/api/v1/: every app's API routes, one router, one schema."""

from csp.decorators import csp_update
from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import BasePermission
from rest_framework.routers import DefaultRouter

from portal.api.audit import AuditEventViewSet
from tenants.api import ApiKeyViewSet, InvitationViewSet, MembershipViewSet, OrganizationView


class DocsAccess(BasePermission):
    """The schema and docs: an API key or a signed-in person, unless API_DOCS_REQUIRE_AUTH is off.

    A public schema maps every route and parameter for an attacker (issue 15); the demo leaves it
    open so that a visitor can read it.
    """

    def has_permission(self, request, view):
        if not settings.API_DOCS_REQUIRE_AUTH:
            return True
        return bool(request.user and request.user.is_authenticated)


# Swagger UI and Redoc set inline styles (and Redoc starts a blob: worker); their pages alone
# relax the content security policy for styles. Their scripts still come from this site only:
# the split view serves Swagger UI's start-up script as a file instead of inline.
_docs_csp = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})

router = DefaultRouter()
router.register("members", MembershipViewSet, basename="member")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("api-keys", ApiKeyViewSet, basename="api-key")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("organization/", OrganizationView.as_view(), name="organization"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[DocsAccess]), name="schema"),
    path(
        "docs/",
        _docs_csp(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", permission_classes=[DocsAccess]
            )
        ),
        name="docs",
    ),
    path(
        "redoc/",
        _docs_csp(
            SpectacularRedocView.as_view(url_name="api:schema", permission_classes=[DocsAccess])
        ),
        name="redoc",
    ),
    # Higher apps register their routes in their own api_urls module.
    path("", include("governance.api_urls")),
    path("", include("consent.api_urls")),
    path("", include("recognition.api_urls")),
    path("", include("dsr.api_urls")),
    path("", include(router.urls)),
]
