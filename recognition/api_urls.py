"""/api/v1/ routes of this app (included by portal.api.urls)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from recognition.api.accuracy import AccuracyReportViewSet
from recognition.api.compreface_keys import CompreFaceKeyViewSet
from recognition.api.enrollments import EnrollmentViewSet
from recognition.api.jobs import RecognitionJobViewSet
from recognition.api.review import ReviewQueueViewSet, WebhookEndpointView

router = DefaultRouter()
router.include_root_view = False
router.register("enrollments", EnrollmentViewSet, basename="enrollment")
router.register("recognition-jobs", RecognitionJobViewSet, basename="recognition-job")
router.register("review-queue", ReviewQueueViewSet, basename="review-queue")
router.register("accuracy-reports", AccuracyReportViewSet, basename="accuracy-report")
router.register("compreface-keys", CompreFaceKeyViewSet, basename="compreface-key")

urlpatterns = [
    path("webhook-endpoint/", WebhookEndpointView.as_view(), name="webhook-endpoint"),
    path("", include(router.urls)),
]
