"""/api/v1/entrustment/: the organization's entrustment contract with the portal operator (R51).

One record per organization: GET reads it, PUT sets the fields it is sent (the owner only),
GET document/ serves the signed contract, each read of it audited.
"""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from governance.models import Entrustment
from governance.services.entrustment import (
    TEXT_FIELDS,
    entrustment_document_open,
    entrustment_for,
    entrustment_save,
)
from governance.uploads import ATTACHMENT_MEDIA_TYPES, DEFAULT_MEDIA_TYPE
from tenants import roles
from tenants.errors import NotFound
from tenants.scoping import OrgScopedMixin

_TERMINATION_HELP = "One of: " + ", ".join(Entrustment.Termination.values) + "."


class EntrustmentOutput(serializers.ModelSerializer):
    complete = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = Entrustment
        fields = [
            *TEXT_FIELDS,
            "contract_date",
            "termination",
            "document_name",
            "document_sha256",
            "has_document",
            "complete",
            "missing",
            "updated_by_label",
            "updated_at",
        ]

    termination = serializers.CharField(read_only=True, help_text=_TERMINATION_HELP)

    def get_complete(self, record) -> bool:
        return not record.missing()

    def get_missing(self, record) -> list[str]:
        return record.missing()

    def get_has_document(self, record) -> bool:
        return bool(record.document)


class EntrustmentInput(serializers.Serializer):
    contract_reference = serializers.CharField(max_length=120, required=False, allow_blank=True)
    contract_date = serializers.DateField(required=False, allow_null=True)
    processing_purpose = serializers.CharField(required=False, allow_blank=True)
    duration = serializers.CharField(max_length=200, required=False, allow_blank=True)
    method = serializers.CharField(required=False, allow_blank=True)
    data_types = serializers.CharField(required=False, allow_blank=True)
    protection_measures = serializers.CharField(required=False, allow_blank=True)
    # A plain string checked by the service, like filing documents' kind: no extra schema enum.
    termination = serializers.CharField(
        max_length=16, required=False, allow_blank=True, help_text=_TERMINATION_HELP
    )
    document = serializers.FileField(required=False)


class EntrustmentView(OrgScopedMixin, generics.GenericAPIView):
    """The entrustment (processing) contract between this organization and the portal operator."""

    serializer_class = EntrustmentOutput
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    required_perms = {"get": roles.VIEW_GOVERNANCE, "put": roles.CHANGE_ORGANIZATION}

    @extend_schema(responses={200: EntrustmentOutput})
    def get(self, request):
        record = entrustment_for(self.organization)
        if record is None:
            raise NotFound(_no_record())
        return Response(EntrustmentOutput(record).data)

    @extend_schema(
        request={"multipart/form-data": EntrustmentInput, "application/json": EntrustmentInput},
        responses={200: EntrustmentOutput},
    )
    def put(self, request):
        data = EntrustmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        upload = fields.pop("document", None)
        record = entrustment_save(
            organization=self.organization, actor=self.actor, upload=upload, **fields
        )
        return Response(EntrustmentOutput(record).data)


class EntrustmentDocumentView(OrgScopedMixin, generics.GenericAPIView):
    """The signed entrustment contract, as an attachment of its media type."""

    serializer_class = None
    required_perms = {"get": roles.VIEW_GOVERNANCE}

    @extend_schema(
        responses={
            (200, media_type): OpenApiTypes.BINARY
            for media_type in sorted({*ATTACHMENT_MEDIA_TYPES.values(), DEFAULT_MEDIA_TYPE})
        }
    )
    def get(self, request):
        record = entrustment_for(self.organization)
        if record is None:
            raise NotFound(_no_record())
        handle, filename, media_type = entrustment_document_open(record=record, actor=self.actor)
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=media_type)


def _no_record() -> str:
    return _("No entrustment contract is recorded for this organization.")
