"""/api/v1/ routes of this app (included by portal.api.urls)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from dsr.api.requests import DataRequestViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("data-requests", DataRequestViewSet, basename="data-request")

urlpatterns = [path("", include(router.urls))]
