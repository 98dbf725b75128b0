"""/api/v1/assessments/: impact assessments, DPO sign-off and attachments (R27-R30)."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from governance.models import Assessment, AssessmentAttachment, Deployment, PurposeVersion
from governance.services import (
    assessment_attach,
    assessment_create,
    assessment_delete,
    assessment_reassess,
    assessment_sign_off,
    assessment_update,
)
from governance.uploads import (
    ATTACHMENT_MEDIA_TYPES,
    DEFAULT_MEDIA_TYPE,
    attachment_media_type,
)
from tenants import roles
from tenants.errors import NotFound
from tenants.idempotency import idempotent
from tenants.principals import principal_api_key
from tenants.references import reference_resolve, references_resolve
from tenants.scoping import OrgScopedMixin


class AttachmentOutput(serializers.ModelSerializer):
    class Meta:
        model = AssessmentAttachment
        fields = ["id", "name", "size", "sha256", "uploaded_by_label", "uploaded_at"]


class SignerKeyOutput(serializers.Serializer):
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's public prefix, as listed in api-keys.")
    created_by = serializers.CharField(
        source="created_by.email", default=None, allow_null=True, help_text="The member."
    )


class AssessmentOutput(serializers.ModelSerializer):
    signed_off_by = serializers.SerializerMethodField(
        help_text=(
            "Who signed it off: a person's e-mail, or for an API key its name and prefix and "
            "the member who created it."
        )
    )
    signed_off_by_api_key = serializers.SerializerMethodField(
        help_text="The API key that signed it off, when a key did; else null."
    )
    attachments = AttachmentOutput(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "deployment",
            "purpose_versions",
            "title",
            *Assessment.SECTION_FIELDS,
            "status",
            "signed_off_by",
            "signed_off_by_api_key",
            "signed_off_at",
            "stale_reason",
            "stale_at",
            "retain_until",
            "attachments",
            "created_at",
            "updated_at",
        ]

    def get_signed_off_by(self, obj) -> str | None:
        return obj.signed_off_by_label or None

    @extend_schema_field(SignerKeyOutput(allow_null=True))
    def get_signed_off_by_api_key(self, obj):
        key = principal_api_key(obj.signed_off_by)
        return SignerKeyOutput(key).data if key is not None else None


class AssessmentUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    section_lawfulness = serializers.CharField(required=False, allow_blank=True)
    section_rights_impact = serializers.CharField(required=False, allow_blank=True)
    section_security_risks = serializers.CharField(required=False, allow_blank=True)
    section_protective_measures = serializers.CharField(required=False, allow_blank=True)
    purpose_versions = serializers.ListField(child=serializers.IntegerField(), required=False)


class AssessmentCreateInput(AssessmentUpdateInput):
    deployment = serializers.IntegerField()
    title = serializers.CharField(max_length=200)


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AssessmentViewSet(
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Impact assessments. Signed-off ones are records: kept three years, never edited."""

    queryset = Assessment.objects.none()
    serializer_class = AssessmentOutput
    ordering_fields = ["created_at", "updated_at", "status", "signed_off_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["deployment", "status"]
    created_paths = {
        "reassess": lambda view, data: reverse("api:assessment-detail", args=[data["id"]]),
        "add_attachment": lambda view, data: reverse(
            "api:assessment-download-attachment", args=[view.kwargs["pk"], data["id"]]
        ),
    }
    required_perms = {
        "list": roles.VIEW_GOVERNANCE,
        "retrieve": roles.VIEW_GOVERNANCE,
        "download_attachment": roles.VIEW_GOVERNANCE,
        "create": roles.MANAGE_GOVERNANCE,
        "partial_update": roles.MANAGE_GOVERNANCE,
        "destroy": roles.MANAGE_GOVERNANCE,
        "reassess": roles.MANAGE_GOVERNANCE,
        "add_attachment": roles.MANAGE_GOVERNANCE,
        "sign_off": roles.SIGN_OFF_ASSESSMENT,
    }

    def scoped_queryset(self):
        return (
            Assessment.objects.for_org(self.organization)
            .select_related("signed_off_by__api_key__created_by")
            .prefetch_related("attachments", "purpose_versions")
        )

    def _out(self, assessment, code=status.HTTP_200_OK):
        return Response(
            AssessmentOutput(self.scoped_queryset().get(pk=assessment.pk)).data, status=code
        )

    def _versions(self, ids):
        if ids is None:
            return None
        return references_resolve(
            PurposeVersion.objects.for_org(self.organization), ids, field="purpose_versions"
        )

    @extend_schema(request=AssessmentCreateInput, responses={201: AssessmentOutput})
    @idempotent
    def create(self, request):
        data = AssessmentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        deployment = reference_resolve(
            Deployment.objects.for_org(self.organization),
            values.pop("deployment"),
            field="deployment",
        )
        versions = self._versions(values.pop("purpose_versions", None))
        assessment = assessment_create(
            organization=self.organization,
            actor=self.actor,
            deployment=deployment,
            purpose_versions=versions,
            **values,
        )
        return self._out(assessment, status.HTTP_201_CREATED)

    @extend_schema(request=AssessmentUpdateInput, responses=AssessmentOutput)
    def partial_update(self, request, pk=None):
        data = AssessmentUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        versions = self._versions(values.pop("purpose_versions", None))
        assessment = assessment_update(
            assessment=self.get_object(), actor=self.actor, purpose_versions=versions, **values
        )
        return self._out(assessment)

    def perform_destroy(self, instance):
        assessment_delete(assessment=instance, actor=self.actor)

    @extend_schema(request=None, responses=AssessmentOutput)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        assessment = assessment_sign_off(
            assessment=self.get_object(), actor=self.actor, user=request.user
        )
        return self._out(assessment)

    @extend_schema(request=None, responses={201: AssessmentOutput})
    @action(detail=True, methods=["post"])
    @idempotent
    def reassess(self, request, pk=None):
        assessment = assessment_reassess(assessment=self.get_object(), actor=self.actor)
        return self._out(assessment, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": AttachmentInput}, responses={201: AttachmentOutput}
    )
    @action(detail=True, methods=["post"], url_path="attachments")
    @idempotent
    def add_attachment(self, request, pk=None):
        data = AttachmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = assessment_attach(
            assessment=self.get_object(),
            actor=self.actor,
            upload=data.validated_data["file"],
            name=data.validated_data.get("name", ""),
        )
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, media_type): OpenApiTypes.BINARY
            for media_type in sorted({*ATTACHMENT_MEDIA_TYPES.values(), DEFAULT_MEDIA_TYPE})
        }
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def download_attachment(self, request, pk=None, attachment_id=None):
        """The file itself, as the media type of its kind (one of those listed)."""
        attachment = self.get_object().attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise NotFound("Attachment not found.")
        filename = attachment.file.name.rsplit("/", 1)[-1]
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type=attachment_media_type(filename),
        )
