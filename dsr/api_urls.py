"""/api/v1/ routes of this app (included by portal.api.urls)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from dsr.api.portability import PortabilityExportView, PortabilityImportViewSet
from dsr.api.requests import DataRequestViewSet
from dsr.api.termination import (
    TerminationPackageView,
    TerminationReportView,
    TerminationRunView,
)
from dsr.api.transfers import PortabilityTransferViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("data-requests", DataRequestViewSet, basename="data-request")
router.register("portability-imports", PortabilityImportViewSet, basename="portability-import")
router.register(
    "portability-transfers", PortabilityTransferViewSet, basename="portability-transfer"
)

urlpatterns = [
    path("termination-run/", TerminationRunView.as_view(), name="termination-run"),
    path("termination-run/report/", TerminationReportView.as_view(), name="termination-report"),
    path("termination-run/package/", TerminationPackageView.as_view(), name="termination-package"),
    path(
        "portability-exports/<uuid:pseudonym>/",
        PortabilityExportView.as_view(),
        name="portability-export",
    ),
    path("", include(router.urls)),
]
