"""/api/v1/recognition-jobs/: identify, verify or detect faces in one or many images."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser
from rest_framework.response import Response

from recognition.api.common import BoxField, WorkErrorOutput, resolve_targets
from recognition.api.uploads import UPLOAD_RATE_CLASSES, UploadParser, UploadSlotMixin
from recognition.models import GalleryCalibration, RecognitionJob, RecognitionResult
from recognition.selectors import job_results, jobs_for
from recognition.services.jobs import recognition_job_create
from tenants import roles
from tenants.idempotency import idempotent
from tenants.scoping import OrgScopedMixin


@extend_schema_field({"type": "string", "enum": list(RecognitionJob.Mode.values)})
class JobModeField(serializers.CharField):
    """Documented as the enum it is, but read as a string: the service refuses any other mode
    by name (job_type_not_allowed, R41), which a bare "not a valid choice" would not say."""


class JobInput(serializers.Serializer):
    deployment = serializers.IntegerField()
    purpose = serializers.IntegerField()
    mode = JobModeField(max_length=60, help_text="identify, verify or detect")
    images = serializers.ListField(child=serializers.FileField(), min_length=1)
    claimed_subject = serializers.UUIDField(required=False, allow_null=True)


class ReviewCandidateOutput(serializers.Serializer):
    subject_pseudonym = serializers.CharField()
    distance = serializers.FloatField()


class ResultOutput(serializers.ModelSerializer):
    image = serializers.IntegerField(source="image_index")
    face = serializers.IntegerField(source="face_index")
    box = BoxField()
    identity = serializers.SerializerMethodField(
        help_text='The subject\'s pseudonym, or "unknown".'
    )
    match = serializers.SerializerMethodField(
        help_text=(
            "Whether the face matched at the purpose's operating point: for verify, the claimed "
            "subject within the job's match_threshold (the purpose's 1:1 threshold) and still "
            "consenting; for identify, a consenting subject named. Null for detect (no "
            "comparison). A match that awaits review (review_status pending) may not be acted "
            "on yet (R43)."
        )
    )

    candidates = ReviewCandidateOutput(
        many=True,
        read_only=True,
        help_text="For an ambiguous answer sent to review (R43): the consented candidates.",
    )

    class Meta:
        model = RecognitionResult
        fields = [
            "image",
            "face",
            "box",
            "identity",
            "match",
            "decision",
            "distance",
            "margin",
            "estimated_fpir",
            "candidates",
            "review_status",
        ]
        extra_kwargs = {
            "distance": {"help_text": "Euclidean distance to the nearest template."},
            "margin": {
                "help_text": "How much farther the nearest other identity is (R54 margin rule)."
            },
            "estimated_fpir": {
                "help_text": "Estimated share of never-enrolled people named at this distance."
            },
        }

    def get_match(self, obj) -> bool | None:
        if obj.decision == RecognitionResult.Decision.DETECTED:
            return None
        return obj.matched

    def get_identity(self, obj) -> str:
        return str(obj.subject_pseudonym) if obj.matched and obj.subject_pseudonym else "unknown"


class CalibrationSummary(serializers.ModelSerializer):
    class Meta:
        model = GalleryCalibration
        fields = [
            "id",
            "created_at",
            "identities",
            "declared_fpir",
            "threshold",
            "margin",
            "estimated_fpir",
            "estimated_fnir",
            "usable",
        ]


class JobOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    # Null for a job of no calibrated purpose (verify, detect, or before the first
    # calibration): the generated client refused the null the schema did not allow.
    calibration = CalibrationSummary(
        read_only=True,
        allow_null=True,
        help_text="R54: the operating point this job's 1:N answers used.",
    )
    url = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField(
        help_text="Null unless the job failed after it was accepted (202); then why."
    )
    results = serializers.SerializerMethodField()

    class Meta:
        model = RecognitionJob
        fields = [
            "id",
            "url",
            "mode",
            "status",
            "phase",
            "progress",
            "deployment",
            "purpose",
            "match_threshold",
            "declared_fpir",
            "calibration",
            "needs_review",
            "images_total",
            "images_done",
            "faces_found",
            "matches",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "results",
        ]

    def get_url(self, obj) -> str:
        # Absolute, as a client follows it from a 202 without knowing where the API lives.
        path = reverse("api:recognition-job-detail", args=[obj.public_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(WorkErrorOutput(allow_null=True))
    def get_error(self, obj) -> dict | None:
        return {"code": obj.error_code, "message": obj.error_message} if obj.error_code else None

    @extend_schema_field(ResultOutput(many=True, allow_null=True))
    def get_results(self, obj) -> list | None:
        # Results only for those who may view them on this deployment (operators by grant).
        if not self.context.get("with_results"):
            return None
        return ResultOutput(job_results(job=obj), many=True).data


class RecognitionJobViewSet(
    UploadSlotMixin,
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Recognition jobs. Creating one needs RUN_JOB on its deployment (checked by the service)."""

    queryset = RecognitionJob.objects.none()
    serializer_class = JobOutput
    ordering_fields = ["created_at", "finished_at", "status"]
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-f-]{36}"
    parser_classes = [UploadParser, FormParser]
    rate_limit_classes = UPLOAD_RATE_CLASSES
    filterset_fields = ["status", "mode", "deployment", "purpose"]
    required_perms = {
        "list": roles.VIEW_ORGANIZATION,
        "retrieve": roles.VIEW_ORGANIZATION,
        "create": roles.VIEW_ORGANIZATION,
    }

    def scoped_queryset(self):
        return jobs_for(user=self.request.user, organization=self.organization)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            JobOutput(page, many=True, context=self.get_serializer_context()).data
        )

    def retrieve(self, request, *args, **kwargs):
        job = self.get_object()
        with_results = request.user.has_perm(roles.VIEW_RESULTS, job.deployment)
        return Response(
            JobOutput(
                job, context={**self.get_serializer_context(), "with_results": with_results}
            ).data
        )

    @extend_schema(request=JobInput, responses={202: JobOutput})
    @idempotent
    def create(self, request):
        data = JobInput(data=request.data)
        data.is_valid(raise_exception=True)
        targets = resolve_targets(self.organization, data.validated_data)
        job = recognition_job_create(
            organization=self.organization,
            deployment=targets["deployment"],
            purpose=targets["purpose"],
            mode=data.validated_data["mode"],
            images=[(f.read(), f.content_type) for f in data.validated_data["images"]],
            actor=self.actor,
            user=request.user,
            claimed_subject=targets.get("claimed_subject"),
        )
        return Response(
            JobOutput(job, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )
