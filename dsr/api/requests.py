"""/api/v1/data-requests/: file, list, and handle data-subject requests (R45-R50)."""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from consent.models import Subject
from dsr.api.documents import (
    AccessPackageOutput,
    CorrectionChangesField,
    CorrectionRecordOutput,
    VerificationReportOutput,
)
from dsr.models import DataRequest
from dsr.selectors import data_requests_queue
from dsr.services.completion import dsr_request_complete
from dsr.services.export import dsr_package_download, package_json
from dsr.services.filing import dsr_request_file
from dsr.services.workflow import (
    dsr_identity_verify,
    dsr_request_extend,
    dsr_request_reject,
    dsr_request_start,
)
from tenants import roles
from tenants.idempotency import idempotent
from tenants.references import reference_resolve
from tenants.scoping import OrgScopedMixin


class DsrRequestOutput(serializers.ModelSerializer):
    duplicate_of = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    changes = CorrectionRecordOutput(read_only=True)
    verification_report = VerificationReportOutput(read_only=True, allow_null=True)

    class Meta:
        model = DataRequest
        fields = [
            "id",
            "subject_pseudonym",
            "kind",
            "status",
            "channel",
            "message",
            "language",
            "created_at",
            "first_due_at",
            "due_at",
            "extended_at",
            "extension_reason",
            "deadline_flag",
            "identity_check",
            "identity_verified_at",
            "duplicate_of",
            "closed_at",
            "rejection_reason",
            "response",
            "outcome",
            "changes",
            "verification_report",
            "export_expires_at",
        ]


class DsrFileInput(serializers.Serializer):
    subject = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=DataRequest.FILE_KINDS)
    message = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    identity_check = serializers.CharField(max_length=300, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=["en", "zh-hans"], required=False)


class DsrReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class DsrIdentityInput(serializers.Serializer):
    check = serializers.CharField(max_length=300)


class DsrCompleteInput(serializers.Serializer):
    response = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    changes = CorrectionChangesField(required=False, help_text="Correction: profile fields.")


class DataRequestViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Data-subject requests and their workflow. Owners and DPOs only (HANDLE_REQUESTS)."""

    queryset = DataRequest.objects.none()
    serializer_class = DsrRequestOutput
    ordering_fields = ["created_at", "due_at", "status", "kind"]
    filterset_fields = ["kind", "status", "channel", "deadline_flag"]
    required_perms = {"*": roles.HANDLE_REQUESTS}

    def scoped_queryset(self):
        return data_requests_queue(organization=self.organization, status="")

    def _answer(self, row):
        return Response(DsrRequestOutput(row).data)

    @extend_schema(request=DsrFileInput, responses={201: DsrRequestOutput})
    @idempotent
    def create(self, request):
        data = DsrFileInput(data=request.data)
        data.is_valid(raise_exception=True)
        subject = reference_resolve(
            Subject.objects.for_org(self.organization),
            data.validated_data["subject"],
            field="subject",
            lookup="pseudonym",
        )
        row = dsr_request_file(
            subject=subject,
            kind=data.validated_data["kind"],
            message=data.validated_data.get("message", ""),
            identity_check=data.validated_data.get("identity_check", ""),
            language=data.validated_data.get("language", ""),
            channel=DataRequest.Channel.API,
            actor=self.actor,
        )
        return Response(DsrRequestOutput(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DsrIdentityInput, responses=DsrRequestOutput)
    @action(detail=True, methods=["post"], url_path="verify-identity")
    def verify_identity(self, request, pk=None):
        data = DsrIdentityInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = dsr_identity_verify(
            data_request=self.get_object(), actor=self.actor, check=data.validated_data["check"]
        )
        return self._answer(row)

    @extend_schema(request=None, responses=DsrRequestOutput)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._answer(dsr_request_start(data_request=self.get_object(), actor=self.actor))

    @extend_schema(request=DsrReasonInput, responses=DsrRequestOutput)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        data = DsrReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = dsr_request_extend(
            data_request=self.get_object(), actor=self.actor, reason=data.validated_data["reason"]
        )
        return self._answer(row)

    @extend_schema(request=DsrReasonInput, responses=DsrRequestOutput)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = DsrReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = dsr_request_reject(
            data_request=self.get_object(), actor=self.actor, reason=data.validated_data["reason"]
        )
        return self._answer(row)

    @extend_schema(request=DsrCompleteInput, responses=DsrRequestOutput)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Carry the request out (export, erasure, correction, restriction...) and answer it."""
        data = DsrCompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = dsr_request_complete(
            data_request=self.get_object(),
            actor=self.actor,
            response=data.validated_data.get("response", ""),
            changes=data.validated_data.get("changes"),
        )
        return self._answer(row)

    @extend_schema(request=None, responses={200: AccessPackageOutput})
    @action(detail=True, methods=["get"])
    def package(self, request, pk=None):
        """The access package of a completed access or portability request, as JSON (audited)."""
        package = dsr_package_download(data_request=self.get_object(), actor=self.actor, fmt="json")
        response = HttpResponse(package_json(package), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="access-package-{pk}.json"'
        return response
