"""/api/v1/accuracy-reports/{purpose id}/: a purpose's 1:N accuracy (R54), history and CSV."""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.models import Purpose
from governance.selectors import purposes_for_org
from recognition.accuracy import CSV_COLUMNS, accuracy_csv, accuracy_report
from recognition.models import GalleryCalibration
from recognition.services.calibrations import calibration_request
from tenants import roles
from tenants.idempotency import idempotent
from tenants.scoping import OrgScopedMixin


class CalibrationOutput(serializers.ModelSerializer):
    purpose_version = serializers.IntegerField(source="purpose_version.version")
    det = serializers.SerializerMethodField(
        help_text="DET curve points: [threshold, FPIR, FNIR or null], threshold increasing."
    )

    class Meta:
        model = GalleryCalibration
        fields = ["id", *CSV_COLUMNS, "det"]

    def get_det(self, obj) -> list[list[float | None]]:
        return obj.point.get("det", []) if self.context.get("with_det") else []


class AccuracyReportOutput(serializers.Serializer):
    purpose = serializers.IntegerField(source="purpose.pk")
    declared_fpir = serializers.FloatField(source="purpose.current_version.declared_fpir")
    effective = serializers.SerializerMethodField(
        help_text="The operating point 1:N answers use now (the strictest stratum's)."
    )
    strata = CalibrationOutput(many=True)
    history = CalibrationOutput(many=True)

    @extend_schema_field(CalibrationOutput(allow_null=True))
    def get_effective(self, obj):
        if obj.effective is None:
            return None
        return CalibrationOutput(obj.effective, context={"with_det": True}).data


class AccuracyReportViewSet(OrgScopedMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The accuracy of each purpose's 1:N identification, by purpose id (R54)."""

    queryset = Purpose.objects.none()
    serializer_class = AccuracyReportOutput
    required_perms = {
        "retrieve": roles.VIEW_GOVERNANCE,
        "download": roles.VIEW_GOVERNANCE,
        "calibrate": roles.MANAGE_GOVERNANCE,
    }
    # The calibration's outcome shows in the purpose's accuracy report.
    created_paths = {
        "calibrate": lambda view, data: reverse(
            "api:accuracy-report-detail", args=[view.kwargs["pk"]]
        )
    }

    def scoped_queryset(self):
        return purposes_for_org(organization=self.organization).select_related("current_version")

    def retrieve(self, request, pk=None):
        return Response(AccuracyReportOutput(accuracy_report(purpose=self.get_object())).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="csv")
    def download(self, request, pk=None):
        """The calibration history and the current DET curve as CSV."""
        purpose = self.get_object()
        response = HttpResponse(accuracy_csv(purpose=purpose), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="accuracy-purpose-{pk}.csv"'
        return response

    @extend_schema(request=None, responses={202: None})
    @action(detail=True, methods=["post"])
    @idempotent
    def calibrate(self, request, pk=None):
        """Queue a new calibration of the purpose's gallery (audited)."""
        calibration_request(purpose=self.get_object(), actor=self.actor)
        return Response(status=status.HTTP_202_ACCEPTED)
