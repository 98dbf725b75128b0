"""/api/v1/filings/ and /api/v1/compliance/: filings with the CAC, the pack, the rule overview."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api.deployments import ApiFixOutput, RuleCheckOutput
from governance.compliance import organization_compliance
from governance.filing import (
    PROFILE_FIELDS,
    filing_accept,
    filing_cancel,
    filing_evaluate,
    filing_profile_get,
    filing_profile_update,
    filing_submit,
    filing_threshold,
    stored_individuals_count,
)
from governance.filing_pack import filing_pack_build
from governance.models import Filing, FilingProfile
from tenants import roles
from tenants.scoping import OrgScopedMixin


class FilingOutput(serializers.ModelSerializer):
    class Meta:
        model = Filing
        fields = [
            "id",
            "kind",
            "status",
            "threshold",
            "stored_count",
            "reason",
            "trigger_date",
            "deadline",
            "deadline_estimated",
            "authority",
            "filing_number",
            "submitted_at",
            "accepted_at",
            "created_at",
            "overdue",
        ]

    overdue = serializers.BooleanField(source="is_overdue", read_only=True)


class SubmitInput(serializers.Serializer):
    filing_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    authority = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AcceptInput(serializers.Serializer):
    filing_number = serializers.CharField(max_length=100)


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = FilingProfile
        fields = list(PROFILE_FIELDS)
        extra_kwargs = {f: {"required": False} for f in PROFILE_FIELDS}


class StatusOutput(serializers.Serializer):
    stored_count = serializers.IntegerField()
    threshold = serializers.IntegerField()
    opened_filing = serializers.IntegerField(allow_null=True)


def _zip_response(body: bytes, organization) -> HttpResponse:
    name = f"filing-pack-{organization.slug}-{timezone.localdate().isoformat()}.zip"
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class FilingViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Filings opened by the stored-individual count or by a substantive change (R35, R37)."""

    queryset = Filing.objects.none()
    serializer_class = FilingOutput
    ordering_fields = ["trigger_date", "deadline", "status", "kind"]
    filterset_fields = ["kind", "status"]
    required_perms = {
        "list": roles.VIEW_GOVERNANCE,
        "retrieve": roles.VIEW_GOVERNANCE,
        "pack": roles.VIEW_GOVERNANCE,
        "filing_pack": roles.VIEW_GOVERNANCE,
        "profile": roles.VIEW_GOVERNANCE,
        "update_profile": roles.MANAGE_GOVERNANCE,
        "evaluate": roles.MANAGE_GOVERNANCE,
        "submit": roles.MANAGE_GOVERNANCE,
        "accept": roles.MANAGE_GOVERNANCE,
        "cancel": roles.MANAGE_GOVERNANCE,
    }

    @extend_schema(request=SubmitInput, responses=FilingOutput)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        filing = filing_submit(filing=self.get_object(), actor=self.actor, **data.validated_data)
        return Response(FilingOutput(filing).data)

    @extend_schema(request=AcceptInput, responses=FilingOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = AcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        filing = filing_accept(filing=self.get_object(), actor=self.actor, **data.validated_data)
        return Response(FilingOutput(filing).data)

    @extend_schema(request=CancelInput, responses=FilingOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        filing = filing_cancel(filing=self.get_object(), actor=self.actor, **data.validated_data)
        return Response(FilingOutput(filing).data)

    @extend_schema(
        operation_id="filings_pack_for_filing",
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="pack")
    def filing_pack(self, request, pk=None):
        filing = self.get_object()
        body = filing_pack_build(organization=self.organization, actor=self.actor, filing=filing)
        return _zip_response(body, self.organization)

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def pack(self, request):
        """The pack for a regulator's inspection (R52), without a particular filing."""
        body = filing_pack_build(organization=self.organization, actor=self.actor)
        return _zip_response(body, self.organization)

    @extend_schema(request=None, responses=StatusOutput)
    @action(detail=False, methods=["post"])
    def evaluate(self, request):
        """Count stored individuals now and open the filing if the threshold is reached."""
        count = stored_individuals_count(organization=self.organization)
        filing = filing_evaluate(
            organization=self.organization, stored_count=count, actor=self.actor
        )
        return Response(
            {
                "stored_count": count,
                "threshold": filing_threshold(),
                "opened_filing": filing.pk if filing else None,
            }
        )

    @extend_schema(responses=ProfileSerializer)
    @action(detail=False, methods=["get"])
    def profile(self, request):
        return Response(ProfileSerializer(filing_profile_get(organization=self.organization)).data)

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer)
    @profile.mapping.patch
    def update_profile(self, request):
        data = ProfileSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = filing_profile_update(
            organization=self.organization, actor=self.actor, **data.validated_data
        )
        return Response(ProfileSerializer(profile).data)


class UnmetRuleOutput(serializers.Serializer):
    rule = serializers.CharField()
    message = serializers.CharField()
    fix_url = serializers.CharField()
    fix = ApiFixOutput(allow_null=True)


class DeploymentComplianceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    rules = RuleCheckOutput(many=True)
    processing_suspended = UnmetRuleOutput(
        many=True,
        help_text="Why new enrollments and jobs are refused (R2, R27, R29); empty if not.",
    )


class ComplianceRuleOutput(serializers.Serializer):
    rule = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["C", "S", "D", "U", "context"], help_text="The rule's status in the regulations."
    )
    summary = serializers.CharField()
    state = serializers.ChoiceField(choices=["met", "partly", "unmet", "not_applicable", "context"])
    label = serializers.CharField()
    message = serializers.CharField(help_text="What makes it met, what is missing, or why not.")
    fix_url = serializers.CharField(help_text="The form that fixes it; empty when met or n/a.")
    fix = ApiFixOutput(allow_null=True, help_text="The API call that fixes it, where one does.")


class FilingWarningOutput(serializers.Serializer):
    level = serializers.FloatField()
    threshold = serializers.IntegerField()
    stored_count = serializers.IntegerField()
    raised_at = serializers.DateTimeField()
    mailed_at = serializers.DateTimeField(allow_null=True)


class ComplianceOutput(serializers.Serializer):
    stored_count = serializers.IntegerField()
    threshold = serializers.IntegerField()
    rules = ComplianceRuleOutput(many=True, help_text="Every rule R1-R54 (issue 17).")
    filing_warnings = FilingWarningOutput(many=True, help_text="R35 levels reached (80%, 90%).")
    organization = RuleCheckOutput(many=True)
    deployments = DeploymentComplianceOutput(many=True)


class ComplianceView(OrgScopedMixin, generics.GenericAPIView):
    """Each rule for the organization and each deployment, met or not, with what fixes it."""

    required_perms = {"get": roles.VIEW_GOVERNANCE}
    serializer_class = None

    @extend_schema(responses=ComplianceOutput)
    def get(self, request):
        report = organization_compliance(organization=self.organization)
        return Response(
            {
                "stored_count": report["stored_count"],
                "threshold": report["threshold"],
                "rules": [row.as_dict() for row in report["rules"]],
                "filing_warnings": FilingWarningOutput(report["alerts"], many=True).data,
                "organization": [c.as_dict() for c in report["organization"]],
                "deployments": [
                    {
                        "id": row["deployment"].pk,
                        "name": row["deployment"].name,
                        "status": row["deployment"].status,
                        "rules": [c.as_dict() for c in row["checks"]],
                        # R2, R27, R29: why new enrollments and jobs are refused, if they are.
                        "processing_suspended": row["processing_unmet"],
                    }
                    for row in report["deployments"]
                ],
            }
        )
