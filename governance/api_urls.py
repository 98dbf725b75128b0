"""/api/v1/ routes of this app (included by portal.api.urls)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from governance.api.assessments import AssessmentViewSet
from governance.api.complaints import ComplaintViewSet
from governance.api.deployments import DeploymentViewSet
from governance.api.entrustment import EntrustmentDocumentView, EntrustmentView
from governance.api.filing_documents import FilingDocumentViewSet
from governance.api.filings import ComplianceView, FilingViewSet
from governance.api.incidents import IncidentViewSet
from governance.api.notices import NoticeViewSet
from governance.api.purposes import PurposeViewSet
from governance.api.transfers import RecipientViewSet, TransferBasisViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("deployments", DeploymentViewSet, basename="deployment")
router.register("purposes", PurposeViewSet, basename="purpose")
router.register("notices", NoticeViewSet, basename="notice")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("filings", FilingViewSet, basename="filing")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("filing-documents", FilingDocumentViewSet, basename="filing-document")
router.register("recipients", RecipientViewSet, basename="recipient")
router.register("transfer-bases", TransferBasisViewSet, basename="transfer-basis")

urlpatterns = [
    path("compliance/", ComplianceView.as_view(), name="compliance"),
    path("entrustment/", EntrustmentView.as_view(), name="entrustment"),
    path("entrustment/document/", EntrustmentDocumentView.as_view(), name="entrustment-document"),
    path("", include(router.urls)),
]
