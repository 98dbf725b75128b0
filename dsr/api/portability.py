"""Portability files (R46): export a subject's, import another organization's.

GET /api/v1/portability-exports/{pseudonym}/ is the subject's file (schema version 1, without
face templates: only the person asks for those, on /me/). POST /api/v1/portability-imports/
takes a file exported by another organization running this portal (the JSON body itself, or a
multipart ``file``) and answers 201 with the import; a file that does not follow the schema, or
was changed, is a 400 naming each problem. GET lists this organization's imports.
"""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from consent.models import Subject
from dsr.api.documents import PORTABILITY_DOCUMENT
from dsr.models import ImportedConsent, PortabilityImport
from dsr.selectors import imported_consents_for
from dsr.services.portability import (
    portability_export,
    portability_import,
    portability_json,
    portability_parse,
)
from tenants import roles
from tenants.errors import NotFound
from tenants.idempotency import idempotent
from tenants.scoping import OrgScopedMixin


class ImportedConsentOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(
        help_text="needs_confirmation until the person consents here to a purpose of that name."
    )

    class Meta:
        model = ImportedConsent
        fields = [
            "purpose_name",
            "purpose_description",
            "state_at_source",
            "given_at",
            "withdrawn_at",
            "history",
            "status",
        ]

    def get_status(self, row) -> str:
        return "confirmed" if getattr(row, "confirmed", False) else "needs_confirmation"


class PortabilityImportOutput(serializers.ModelSerializer):
    consents = serializers.SerializerMethodField()

    class Meta:
        model = PortabilityImport
        fields = [
            "id",
            "subject_pseudonym",
            "schema_version",
            "source_controller",
            "file_sha256",
            "imported_at",
            "imported_by_label",
            "summary",
            "consents",
        ]

    @extend_schema_field(ImportedConsentOutput(many=True))
    def get_consents(self, record) -> list:
        rows = imported_consents_for(ImportedConsent.objects.filter(source=record))
        return ImportedConsentOutput(rows, many=True).data


class PortabilityFileInput(serializers.Serializer):
    file = serializers.FileField(help_text="The portability file (JSON, schema version 1).")


class PortabilityExportView(OrgScopedMixin, generics.GenericAPIView):
    """A subject's portability file, as an attachment (owners and DPOs handle requests)."""

    serializer_class = None
    required_perms = {"get": roles.HANDLE_REQUESTS}

    @extend_schema(responses={(200, "application/json"): PORTABILITY_DOCUMENT})
    def get(self, request, pseudonym):
        subject = Subject.objects.for_org(self.organization).filter(pseudonym=pseudonym).first()
        if subject is None:
            raise NotFound("No such subject.")
        document = portability_export(subject=subject, actor=self.actor)
        response = HttpResponse(portability_json(document), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="portability-{pseudonym}.json"'
        return response


class PortabilityImportViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Imports of portability files into this organization, newest first."""

    queryset = PortabilityImport.objects.none()
    serializer_class = PortabilityImportOutput
    ordering_fields = ["imported_at"]
    parser_classes = [JSONParser, MultiPartParser]
    required_perms = {"list": roles.VIEW_SUBJECTS, "create": roles.MANAGE_CONSENT}
    # The import has no page of its own; the subject it created has.
    created_paths = {
        "create": lambda view, data: reverse(
            "api:subject-detail", kwargs={"pseudonym": data["subject_pseudonym"]}
        )
    }

    def scoped_queryset(self):
        return PortabilityImport.objects.for_org(self.organization)

    @extend_schema(
        request={
            "application/json": OpenApiTypes.OBJECT,
            "multipart/form-data": PortabilityFileInput,
        },
        responses={201: PortabilityImportOutput},
    )
    @idempotent
    def create(self, request):
        if request.content_type.startswith("multipart/"):
            upload = PortabilityFileInput(data=request.data)
            upload.is_valid(raise_exception=True)
            document = portability_parse(upload.validated_data["file"].read())
        else:
            document = request.data
        record = portability_import(
            organization=self.organization, document=document, actor=self.actor
        )
        return Response(PortabilityImportOutput(record).data, status=status.HTTP_201_CREATED)
