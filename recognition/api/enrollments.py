"""/api/v1/enrollments/: enroll a consenting subject's face (202 and a job to follow)."""

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser
from rest_framework.response import Response

from recognition.api.common import BoxField, WorkErrorOutput, resolve_targets
from recognition.api.uploads import UPLOAD_RATE_CLASSES, UploadParser, UploadSlotMixin
from recognition.models import Enrollment
from recognition.selectors import enrollments_for
from recognition.services.enrollment import enrollment_request
from tenants import roles
from tenants.idempotency import idempotent
from tenants.scoping import OrgScopedMixin


class EnrollmentInput(serializers.Serializer):
    deployment = serializers.IntegerField()
    purpose = serializers.IntegerField()
    subject = serializers.UUIDField(help_text="The subject's pseudonym.")
    image = serializers.FileField()


class EnrollmentOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    subject = serializers.UUIDField(source="subject_pseudonym")
    error = serializers.SerializerMethodField(
        help_text=(
            "Null until the worker refuses the photo: the 202 accepts it before any face is "
            "detected, so no face, several faces or a refused image arrive here later, with "
            "status failed. Poll the enrollment's url."
        )
    )
    face_box = BoxField(allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "url",
            "status",
            "progress",
            "error",
            "deployment",
            "purpose",
            "subject",
            "keep_raw_image",
            "template_state",
            "template_removed_at",
            "model_version",
            "face_box",
            "created_at",
            "finished_at",
        ]

    @extend_schema_field(WorkErrorOutput(allow_null=True))
    def get_error(self, obj) -> dict | None:
        if not obj.error_code:
            return None
        return {"code": obj.error_code, "message": obj.error_message}

    def get_url(self, obj) -> str:
        # Absolute, as a client follows it from a 202 without knowing where the API lives.
        path = reverse("api:enrollment-detail", args=[obj.public_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class EnrollmentFilter(django_filters.FilterSet):
    subject = django_filters.UUIDFilter(field_name="subject_pseudonym", help_text="Pseudonym.")

    class Meta:
        model = Enrollment
        fields = ["status", "template_state", "deployment", "purpose", "subject"]


class EnrollmentViewSet(
    UploadSlotMixin,
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Enrollments the caller may see: all with an organization-wide role, else on grants."""

    queryset = Enrollment.objects.none()
    serializer_class = EnrollmentOutput
    ordering_fields = ["created_at", "finished_at", "status"]
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-f-]{36}"
    parser_classes = [UploadParser, FormParser]
    rate_limit_classes = UPLOAD_RATE_CLASSES
    filterset_class = EnrollmentFilter
    # Membership is checked here; the per-deployment ENROLL grant is checked by the service.
    required_perms = {
        "list": roles.VIEW_ORGANIZATION,
        "retrieve": roles.VIEW_ORGANIZATION,
        "create": roles.VIEW_ORGANIZATION,
    }

    def scoped_queryset(self):
        return enrollments_for(user=self.request.user, organization=self.organization)

    @extend_schema(request=EnrollmentInput, responses={202: EnrollmentOutput})
    @idempotent
    def create(self, request):
        data = EnrollmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        targets = resolve_targets(self.organization, data.validated_data)
        upload = data.validated_data["image"]
        enrollment = enrollment_request(
            organization=self.organization,
            deployment=targets["deployment"],
            purpose=targets["purpose"],
            subject=targets["subject"],
            image=upload.read(),
            content_type=upload.content_type,
            actor=self.actor,
            user=request.user,
        )
        return Response(self.get_serializer(enrollment).data, status=status.HTTP_202_ACCEPTED)
