"""Going live in few calls (issue 18): a deployment from a template, and what is left.

``POST /deployments/from-template/`` creates a draft deployment with its purpose, an English
notice draft and an impact-assessment draft (governance.services.go_live);
``GET /deployments/{id}/checklist/`` lists each unmet activation rule with the API calls that
meet it (governance.checklist); ``GET /deployments/templates/`` lists the templates.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.checklist import deployment_checklist
from governance.deployment_templates import TEMPLATES
from governance.models import Deployment, Device, Purpose
from governance.services.go_live import deployment_create_from_template
from tenants.idempotency import idempotent
from tenants.references import reference_resolve


class TemplateOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    place_type = serializers.CharField(source="deployment.place_type")
    storage_mode = serializers.CharField(source="deployment.storage_mode")
    purpose_name = serializers.CharField()
    purpose_kind = serializers.CharField()


class TemplateDeviceInput(serializers.Serializer):
    identifier = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Device.Kind.choices)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)


class FromTemplateInput(serializers.Serializer):
    template = serializers.ChoiceField(choices=sorted(TEMPLATES))
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300)
    province = serializers.CharField(max_length=60)
    purpose = serializers.IntegerField(
        required=False, help_text="An existing purpose to attach instead of the template's."
    )
    devices = TemplateDeviceInput(many=True, required=False)
    # The template's deployment settings, each replaceable.
    jurisdiction = serializers.ChoiceField(choices=Deployment.Jurisdiction.choices, required=False)
    central_storage_reason = serializers.CharField(required=False, allow_blank=True)
    capture_area = serializers.CharField(required=False, allow_blank=True)


class ChecklistFixOutput(serializers.Serializer):
    operation = serializers.CharField(help_text="The schema's operationId.")
    method = serializers.ChoiceField(choices=["GET", "POST", "PATCH", "DELETE"])
    path = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField(), help_text="Body fields to send.")
    note = serializers.CharField()


class ChecklistItemOutput(serializers.Serializer):
    rule = serializers.CharField()
    message = serializers.CharField()
    fix_url = serializers.CharField(help_text="The staff panel's page, when there is one.")
    fixes = ChecklistFixOutput(many=True, help_text="The API calls that meet the rule, in order.")


class ChecklistOutput(serializers.Serializer):
    deployment = serializers.IntegerField(source="deployment.pk")
    status = serializers.CharField(source="deployment.status")
    ready = serializers.BooleanField(help_text="True when activate will succeed now.")
    items = ChecklistItemOutput(many=True)
    activate = ChecklistFixOutput()


class FromTemplateOutput(serializers.Serializer):
    deployment = serializers.IntegerField(source="deployment.pk")
    purpose = serializers.IntegerField(source="purpose.pk")
    purpose_version = serializers.IntegerField(source="purpose.current_version_id")
    notice = serializers.IntegerField(source="notice.pk", allow_null=True)
    assessment = serializers.IntegerField(source="assessment.pk")
    checklist = ChecklistOutput()


_FROM_TEMPLATE_EXAMPLE = OpenApiExample(
    "Staff entrance",
    value={
        "template": "staff_access_control",
        "name": "HQ staff entrance",
        "address": "100 Demo Road, Shanghai",
        "province": "Shanghai",
        "devices": [{"identifier": "GATE-01", "kind": "access_gate"}],
    },
    request_only=True,
)


class GoLiveActions:
    """The deployment viewset's go-live actions (mixed into governance.api.deployments)."""

    @extend_schema(responses=TemplateOutput(many=True))
    @action(detail=False, methods=["get"])
    def templates(self, request):
        """The templates a deployment can start from."""
        return Response(TemplateOutput(TEMPLATES.values(), many=True).data)

    @extend_schema(
        request=FromTemplateInput,
        responses={201: FromTemplateOutput},
        examples=[_FROM_TEMPLATE_EXAMPLE],
    )
    @action(detail=False, methods=["post"], url_path="from-template")
    @idempotent
    def from_template(self, request):
        """Create a draft deployment from a template, with its purpose (or the one named), an
        English notice draft and an impact-assessment draft; answer their ids and the checklist
        of what is left before activation."""
        data = FromTemplateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        purpose = values.pop("purpose", None)
        if purpose is not None:
            purpose = reference_resolve(
                Purpose.objects.for_org(self.organization), purpose, field="purpose"
            )
        made = deployment_create_from_template(
            organization=self.organization, actor=self.actor, purpose=purpose, **values
        )
        body = FromTemplateOutput(
            {
                "deployment": made.deployment,
                "purpose": made.purpose,
                "notice": made.notice,
                "assessment": made.assessment,
                "checklist": deployment_checklist(made.deployment),
            }
        ).data
        location = self.reverse_action("detail", args=[made.deployment.pk])
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(responses=ChecklistOutput)
    @action(detail=True, methods=["get"])
    def checklist(self, request, pk=None):
        """What is left before activation: each unmet rule with the API calls that meet it."""
        return Response(ChecklistOutput(deployment_checklist(self.get_object())).data)
