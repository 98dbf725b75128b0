"""/api/v1/termination-run/: end the entrustment with the portal operator and prove it (R51).

One run per organization. POST starts it (owner or DPO; the body must confirm) and answers 202
with the status resource, which GET reads; report/ is the verification report as a JSON file;
package/ is the return package (GET downloads it, DELETE confirms its receipt and deletes it).
"""

import json

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from dsr.api.documents import TerminationReportOutput
from dsr.models import TerminationRun
from dsr.services.termination import (
    termination_report_check,
    termination_run_for,
    termination_start,
)
from dsr.services.termination_package import termination_package_delete, termination_package_open
from tenants import roles
from tenants.errors import NotFound
from tenants.idempotency import idempotent
from tenants.scoping import OrgScopedMixin


class TerminationRunOutput(serializers.ModelSerializer):
    has_package = serializers.SerializerMethodField()
    package_expires_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the portal deletes a package nobody confirmed "
        "(DSR_TERMINATION_PACKAGE_KEEP_DAYS after the run finished); null when none is held.",
    )
    proves_termination = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()

    class Meta:
        model = TerminationRun
        fields = [
            "id",
            "mode",
            "status",
            "contract_reference",
            "requested_by_label",
            "requested_at",
            "started_at",
            "finished_at",
            "attempts",
            "last_error",
            "counts_before",
            "report",
            "package_sha256",
            "package_bytes",
            "package_deleted_at",
            "package_expires_at",
            "has_package",
            "proves_termination",
            "problems",
        ]

    def get_has_package(self, run) -> bool:
        return bool(run.package) and run.package_deleted_at is None

    def get_proves_termination(self, run) -> bool:
        return not termination_report_check(run)

    def get_problems(self, run) -> list[str]:
        return termination_report_check(run)


@extend_schema_field({"type": "boolean", "enum": [True]})
class ConfirmField(serializers.BooleanField):
    """A boolean that only ``true`` satisfies, and the schema says so."""


class TerminationStartInput(serializers.Serializer):
    # Deleting every subject's data cannot be undone: the caller says so explicitly.
    confirm = ConfirmField(
        help_text="Must be true: the run deletes all personal data of the organization."
    )

    def validate_confirm(self, value):
        if not value:
            raise serializers.ValidationError("Confirm the termination with true.")
        return value


# The resource exists only once the entrustment ended; the schema's own rule documents a 404
# only where the path names an object, so these singleton operations state theirs.
NOT_ENDED = OpenApiResponse(
    description="Not found: the entrustment has not ended, or the run has no such file yet.",
)


def _run(organization) -> TerminationRun:
    run = termination_run_for(organization)
    if run is None:
        raise NotFound("The entrustment has not ended: no termination run exists.")
    return run


class TerminationRunView(OrgScopedMixin, generics.GenericAPIView):
    """The organization's termination run: its status, counts and report."""

    serializer_class = TerminationRunOutput
    required_perms = {"get": roles.VIEW_GOVERNANCE, "post": roles.MANAGE_GOVERNANCE}

    @extend_schema(responses={200: TerminationRunOutput, 404: NOT_ENDED})
    def get(self, request):
        return Response(TerminationRunOutput(_run(self.organization)).data)

    @extend_schema(request=TerminationStartInput, responses={202: TerminationRunOutput})
    @idempotent
    def post(self, request):
        TerminationStartInput(data=request.data).is_valid(raise_exception=True)
        run = termination_start(organization=self.organization, actor=self.actor)
        response = Response(TerminationRunOutput(run).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("api:termination-run")
        return response


class TerminationReportView(OrgScopedMixin, generics.GenericAPIView):
    """The verification report of the run, as a JSON file to keep."""

    serializer_class = None
    required_perms = {"get": roles.VIEW_GOVERNANCE}

    @extend_schema(responses={(200, "application/json"): TerminationReportOutput, 404: NOT_ENDED})
    def get(self, request):
        run = _run(self.organization)
        if run.report is None:
            raise NotFound("The run has not written its report yet.", code="no_report")
        body = json.dumps(run.report, ensure_ascii=False, indent=1)
        response = HttpResponse(body, content_type="application/json")
        filename = f"{self.organization.slug}-termination-report.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class TerminationPackageView(OrgScopedMixin, generics.GenericAPIView):
    """The return package: download it, then confirm its receipt (which deletes it here)."""

    serializer_class = None
    required_perms = {"get": roles.MANAGE_GOVERNANCE, "delete": roles.MANAGE_GOVERNANCE}

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY, 404: NOT_ENDED})
    def get(self, request):
        handle, filename = termination_package_open(run=_run(self.organization), actor=self.actor)
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type="application/zip"
        )

    @extend_schema(request=None, responses={200: TerminationRunOutput, 404: NOT_ENDED})
    def delete(self, request):
        run = termination_package_delete(run=_run(self.organization), actor=self.actor)
        return Response(TerminationRunOutput(run).data)
