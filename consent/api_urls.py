"""/api/v1/ routes of this app (included by portal.api.urls)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from consent.api.checks import ConsentCheckView
from consent.api.consents import ConsentViewSet
from consent.api.misc import MinorRulesViewSet, ReceiptVerifyView, SigningKeyViewSet
from consent.api.subjects import SubjectViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("subjects", SubjectViewSet, basename="subject")
router.register("consents", ConsentViewSet, basename="consent")
# /data-requests/ is served by the dsr app (dsr.api_urls), which runs the whole workflow.
router.register("minor-rules", MinorRulesViewSet, basename="minor-rules")
router.register("signing-keys", SigningKeyViewSet, basename="signing-key")

urlpatterns = [
    path("consent-check/", ConsentCheckView.as_view(), name="consent-check"),
    path("receipts/verify/", ReceiptVerifyView.as_view(), name="receipt-verify"),
    path("", include(router.urls)),
]
