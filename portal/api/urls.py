"""/api/v1/: every app's API routes, one router, one schema."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from portal.api.audit import AuditEventViewSet
from tenants.api import ApiKeyViewSet, InvitationViewSet, MembershipViewSet, OrganizationView

router = DefaultRouter()
router.register("members", MembershipViewSet, basename="member")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("api-keys", ApiKeyViewSet, basename="api-key")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("organization/", OrganizationView.as_view(), name="organization"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    # Higher apps register their routes in their own api_urls module.
    path("", include("governance.api_urls")),
    path("", include("consent.api_urls")),
    path("", include("recognition.api_urls")),
    path("", include("dsr.api_urls")),
    path("", include(router.urls)),
]
