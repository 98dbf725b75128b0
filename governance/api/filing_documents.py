"""/api/v1/filing-documents/: the sealed scans of a filing (R38), typed by kind."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from governance.models import Filing, FilingDocument
from governance.services.filing_documents import filing_document_add, filing_document_open
from governance.uploads import ATTACHMENT_MEDIA_TYPES, DEFAULT_MEDIA_TYPE
from tenants import roles
from tenants.idempotency import idempotent
from tenants.references import reference_resolve
from tenants.scoping import OrgScopedMixin


class FilingDocumentOutput(serializers.ModelSerializer):
    class Meta:
        model = FilingDocument
        fields = [
            "id",
            "filing",
            "kind",
            "name",
            "size",
            "sha256",
            "uploaded_by_label",
            "uploaded_at",
        ]


class FilingDocumentInput(serializers.Serializer):
    filing = serializers.IntegerField()
    # An enum named FilingDocumentKindEnum by settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"],
    # apart from the schema's other "kind" enums.
    kind = serializers.ChoiceField(choices=FilingDocument.Kind.choices)
    file = serializers.FileField()
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class FilingDocumentViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Scans of the sealed materials a filing is accompanied by; every download is audited."""

    queryset = FilingDocument.objects.none()
    serializer_class = FilingDocumentOutput
    ordering_fields = ["uploaded_at", "kind", "name"]
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["filing", "kind"]
    required_perms = {
        "list": roles.VIEW_GOVERNANCE,
        "retrieve": roles.VIEW_GOVERNANCE,
        "download": roles.VIEW_GOVERNANCE,
        "create": roles.MANAGE_GOVERNANCE,
    }

    @extend_schema(
        request={"multipart/form-data": FilingDocumentInput},
        responses={201: FilingDocumentOutput},
    )
    @idempotent
    def create(self, request):
        data = FilingDocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        filing = reference_resolve(
            Filing.objects.for_org(self.organization), data.validated_data["filing"], field="filing"
        )
        document = filing_document_add(
            filing=filing,
            actor=self.actor,
            kind=data.validated_data["kind"],
            upload=data.validated_data["file"],
            name=data.validated_data.get("name", ""),
        )
        return Response(FilingDocumentOutput(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, media_type): OpenApiTypes.BINARY
            for media_type in sorted({*ATTACHMENT_MEDIA_TYPES.values(), DEFAULT_MEDIA_TYPE})
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The scan itself, as an attachment of its media type (one of those listed)."""
        handle, filename, media_type = filing_document_open(
            document=self.get_object(), actor=self.actor
        )
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=media_type)
