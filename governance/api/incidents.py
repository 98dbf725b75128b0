"""/api/v1/incidents/: the incident register (R34, PIPL Art. 57)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.models import Deployment, Incident
from governance.services import (
    incident_close,
    incident_create,
    incident_record_notification,
    incident_update,
)
from tenants import roles
from tenants.idempotency import idempotent
from tenants.references import reference_resolve
from tenants.scoping import OrgScopedMixin


class IncidentOutput(serializers.ModelSerializer):
    class Meta:
        model = Incident
        fields = [
            "id",
            "deployment",
            "title",
            "severity",
            "status",
            "occurred_at",
            "discovered_at",
            "data_types",
            "cause",
            "possible_harm",
            "remedial_measures",
            "individual_steps",
            "contact",
            "affected_count",
            "affected_subjects",
            "authorities_notified_at",
            "individuals_notified_at",
            "closed_at",
            "created_at",
        ]


class IncidentCreatedOutput(IncidentOutput):
    stale_assessments = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta(IncidentOutput.Meta):
        fields = [*IncidentOutput.Meta.fields, "stale_assessments"]


class IncidentInput(serializers.Serializer):
    deployment = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=Incident.Severity.choices)
    occurred_at = serializers.DateTimeField(required=False)
    discovered_at = serializers.DateTimeField(required=False)
    data_types = serializers.CharField()
    cause = serializers.CharField()
    possible_harm = serializers.CharField()
    remedial_measures = serializers.CharField()
    individual_steps = serializers.CharField()
    contact = serializers.CharField(max_length=300)
    affected_count = serializers.IntegerField(min_value=0, required=False)
    affected_subjects = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False
    )


class NotifyInput(serializers.Serializer):
    authorities = serializers.BooleanField(required=False, default=False)
    individuals = serializers.BooleanField(required=False, default=False)


class IncidentViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Incidents. A major one marks the impact assessments it touches stale (R29)."""

    queryset = Incident.objects.none()
    serializer_class = IncidentOutput
    ordering_fields = ["discovered_at", "occurred_at", "severity", "status"]
    filterset_fields = ["severity", "status", "deployment"]
    required_perms = {
        "list": roles.VIEW_GOVERNANCE,
        "retrieve": roles.VIEW_GOVERNANCE,
        "create": roles.MANAGE_GOVERNANCE,
        "partial_update": roles.MANAGE_GOVERNANCE,
        "notify": roles.MANAGE_GOVERNANCE,
        "close": roles.MANAGE_GOVERNANCE,
    }

    def _values(self, validated):
        values = dict(validated)
        if values.get("deployment") is not None:
            values["deployment"] = reference_resolve(
                Deployment.objects.for_org(self.organization),
                values["deployment"],
                field="deployment",
            )
        return values

    def _out(self, incident, stale, code=status.HTTP_200_OK):
        incident.stale_assessments = stale
        return Response(IncidentCreatedOutput(incident).data, status=code)

    @extend_schema(request=IncidentInput, responses={201: IncidentCreatedOutput})
    @idempotent
    def create(self, request):
        data = IncidentInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident, stale = incident_create(
            organization=self.organization, actor=self.actor, **self._values(data.validated_data)
        )
        return self._out(incident, stale, status.HTTP_201_CREATED)

    @extend_schema(request=IncidentInput(partial=True), responses=IncidentCreatedOutput)
    def partial_update(self, request, pk=None):
        data = IncidentInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        incident, stale = incident_update(
            incident=self.get_object(), actor=self.actor, **self._values(data.validated_data)
        )
        return self._out(incident, stale)

    @extend_schema(request=NotifyInput, responses=IncidentOutput)
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        data = NotifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incident_record_notification(
            incident=self.get_object(), actor=self.actor, **data.validated_data
        )
        return Response(IncidentOutput(incident).data)

    @extend_schema(request=None, responses=IncidentOutput)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        incident = incident_close(incident=self.get_object(), actor=self.actor)
        return Response(IncidentOutput(incident).data)
