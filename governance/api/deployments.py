"""/api/v1/deployments/: sites, devices, purposes, activation and operator grants."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from governance.api.common import scoped_or_404
from governance.api.go_live import GoLiveActions
from governance.gates import deployment_checks
from governance.models import Deployment, DeploymentPurpose, Device, Location, Purpose
from governance.selectors import (
    GRANTABLE_CODENAMES,
    deployment_operator_grants,
    deployments_for_org,
)
from governance.services import (
    deployment_activate,
    deployment_attach_purpose,
    deployment_create,
    deployment_detach_purpose,
    deployment_grant_operator,
    deployment_retire,
    deployment_revoke_operator,
    deployment_set_signage,
    deployment_suspend,
    deployment_update,
    device_add,
    device_remove,
)
from governance.services.deployments import DEPLOYMENT_FIELDS, user_by_id
from tenants import roles
from tenants.errors import NotFound
from tenants.idempotency import idempotent
from tenants.references import reference_resolve
from tenants.scoping import OrgScopedMixin


class DeviceOutput(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "identifier", "kind", "location", "created_at"]


class DeploymentPurposeOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="purpose.name")
    kind = serializers.CharField(source="purpose.kind")
    current_version_id = serializers.IntegerField(source="purpose.current_version_id")

    class Meta:
        model = DeploymentPurpose
        fields = ["purpose_id", "name", "kind", "current_version_id", "requires_separate_consent"]


class DeploymentOutput(serializers.ModelSerializer):
    devices = DeviceOutput(many=True, read_only=True)
    purposes = DeploymentPurposeOutput(source="purpose_links", many=True, read_only=True)
    has_signage_photo = serializers.SerializerMethodField()
    transfers_abroad = serializers.BooleanField(read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            *DEPLOYMENT_FIELDS,
            "has_signage_photo",
            "transfers_abroad",
            "status",
            "devices",
            "purposes",
            "activated_at",
            "suspended_at",
            "retired_at",
            "created_at",
            "updated_at",
        ]

    def get_has_signage_photo(self, obj) -> bool:
        return bool(obj.signage_photo)


class DeploymentInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300)
    name_zh_hans = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The name in Simplified Chinese.",
    )
    address_zh_hans = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="The address in Simplified Chinese.",
    )
    province = serializers.CharField(max_length=60)
    place_type = serializers.ChoiceField(choices=Deployment.PlaceType.choices)
    processing_kind = serializers.ChoiceField(
        choices=Deployment.ProcessingKind.choices, required=False
    )
    # Omitted: the organization's jurisdiction profile.
    jurisdiction = serializers.ChoiceField(choices=Deployment.Jurisdiction.choices, required=False)
    storage_mode = serializers.ChoiceField(choices=Deployment.StorageMode.choices, required=False)
    central_storage_reason = serializers.CharField(required=False, allow_blank=True)
    # R26: omitted, where the site collects (the PRC for a Chinese site).
    storage_location = serializers.ChoiceField(
        choices=Location.choices,
        required=False,
        help_text="Where templates and logs are stored. Outside CN at a CN site: a transfer (R26).",
    )
    processing_location = serializers.ChoiceField(
        choices=Location.choices,
        required=False,
        help_text="Where matching runs. Outside CN at a CN site: a transfer (R26).",
    )
    verification_channel = serializers.ChoiceField(
        choices=Deployment.VerificationChannel.choices, required=False
    )
    public_security_justification = serializers.CharField(required=False, allow_blank=True)
    capture_area = serializers.CharField(required=False, allow_blank=True)


class SignageInput(serializers.Serializer):
    photo = serializers.FileField()
    location = serializers.CharField(max_length=300)
    taken_on = serializers.DateField()


class DeviceInput(serializers.Serializer):
    identifier = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Device.Kind.choices)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AttachInput(serializers.Serializer):
    purpose = serializers.IntegerField()


class GrantInput(serializers.Serializer):
    user_id = serializers.IntegerField()
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=GRANTABLE_CODENAMES), required=False
    )


class SuspendInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ApiFixOutput(serializers.Serializer):
    """The API call that meets an unmet rule (governance.api_fixes)."""

    operation = serializers.CharField(help_text="The schema's operationId.")
    method = serializers.ChoiceField(choices=["POST", "PUT", "PATCH", "DELETE"])
    path = serializers.CharField(help_text="With its ids filled in.")
    field = serializers.CharField(allow_null=True, help_text="The body field to set.")


class RuleCheckOutput(serializers.Serializer):
    rule = serializers.CharField()
    met = serializers.BooleanField()
    applicable = serializers.BooleanField()
    message = serializers.CharField()
    fix_url = serializers.CharField()
    fix = ApiFixOutput(allow_null=True)


class GrantOutput(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    permissions = serializers.ListField(child=serializers.CharField())


_READ, _WRITE = roles.VIEW_GOVERNANCE, roles.MANAGE_GOVERNANCE


class DeploymentViewSet(
    GoLiveActions,
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Deployments. Activation runs every gate and answers 422 listing each unmet rule."""

    queryset = Deployment.objects.none()
    serializer_class = DeploymentOutput
    ordering_fields = ["name", "status", "created_at", "activated_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["status", "place_type", "processing_kind", "jurisdiction", "storage_mode"]
    # A device and a purpose link have no page of their own: they show in the deployment's.
    created_paths = {
        "add_device": lambda view, data: reverse("api:deployment-detail", args=[view.kwargs["pk"]]),
        "attach_purpose": lambda view, data: reverse("api:deployment-detail", args=[data["id"]]),
        "add_grant": lambda view, data: reverse("api:deployment-grants", args=[view.kwargs["pk"]]),
    }
    required_perms = {
        "list": _READ,
        "retrieve": _READ,
        "checks": _READ,
        "checklist": _READ,
        "templates": _READ,
        "from_template": _WRITE,
        "grants": _READ,
        "create": _WRITE,
        "partial_update": _WRITE,
        "activate": _WRITE,
        "suspend": _WRITE,
        "retire": _WRITE,
        "signage": _WRITE,
        "add_device": _WRITE,
        "remove_device": _WRITE,
        "attach_purpose": _WRITE,
        "detach_purpose": _WRITE,
        "add_grant": _WRITE,
        "remove_grant": _WRITE,
    }

    def scoped_queryset(self):
        return deployments_for_org(organization=self.organization).prefetch_related(
            "purpose_links__purpose"
        )

    def _out(self, deployment, code=status.HTTP_200_OK):
        fresh = self.scoped_queryset().get(pk=deployment.pk)
        return Response(DeploymentOutput(fresh).data, status=code)

    @extend_schema(request=DeploymentInput, responses={201: DeploymentOutput})
    @idempotent
    def create(self, request):
        data = DeploymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        deployment = deployment_create(
            organization=self.organization, actor=self.actor, **data.validated_data
        )
        return self._out(deployment, status.HTTP_201_CREATED)

    @extend_schema(request=DeploymentInput(partial=True), responses=DeploymentOutput)
    def partial_update(self, request, pk=None):
        data = DeploymentInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        deployment = deployment_update(
            deployment=self.get_object(), actor=self.actor, **data.validated_data
        )
        return self._out(deployment)

    @extend_schema(request=None, responses=DeploymentOutput)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._out(deployment_activate(deployment=self.get_object(), actor=self.actor))

    @extend_schema(request=SuspendInput, responses=DeploymentOutput)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        data = SuspendInput(data=request.data)
        data.is_valid(raise_exception=True)
        deployment = deployment_suspend(
            deployment=self.get_object(), actor=self.actor, **data.validated_data
        )
        return self._out(deployment)

    @extend_schema(request=None, responses=DeploymentOutput)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        return self._out(deployment_retire(deployment=self.get_object(), actor=self.actor))

    @extend_schema(request={"multipart/form-data": SignageInput}, responses=DeploymentOutput)
    @action(detail=True, methods=["post"])
    def signage(self, request, pk=None):
        data = SignageInput(data=request.data)
        data.is_valid(raise_exception=True)
        deployment = deployment_set_signage(
            deployment=self.get_object(),
            actor=self.actor,
            photo=data.validated_data["photo"],
            location=data.validated_data["location"],
            taken_on=data.validated_data["taken_on"],
        )
        return self._out(deployment)

    @extend_schema(responses=RuleCheckOutput(many=True))
    @action(detail=True, methods=["get"])
    def checks(self, request, pk=None):
        return Response([c.as_dict() for c in deployment_checks(self.get_object())])

    @extend_schema(request=DeviceInput, responses={201: DeviceOutput})
    @action(detail=True, methods=["post"], url_path="devices")
    @idempotent
    def add_device(self, request, pk=None):
        data = DeviceInput(data=request.data)
        data.is_valid(raise_exception=True)
        device = device_add(deployment=self.get_object(), actor=self.actor, **data.validated_data)
        return Response(DeviceOutput(device).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"devices/(?P<device_id>\d+)")
    def remove_device(self, request, pk=None, device_id=None):
        deployment = self.get_object()
        device = deployment.devices.filter(pk=device_id).first()
        if device is None:
            raise NotFound("Device not found.")
        device_remove(device=device, actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AttachInput, responses={201: DeploymentOutput})
    @action(detail=True, methods=["post"], url_path="purposes")
    @idempotent
    def attach_purpose(self, request, pk=None):
        data = AttachInput(data=request.data)
        data.is_valid(raise_exception=True)
        purpose = reference_resolve(
            Purpose.objects.for_org(self.organization),
            data.validated_data["purpose"],
            field="purpose",
        )
        deployment = self.get_object()
        deployment_attach_purpose(deployment=deployment, purpose=purpose, actor=self.actor)
        return self._out(deployment, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"purposes/(?P<purpose_id>\d+)")
    def detach_purpose(self, request, pk=None, purpose_id=None):
        deployment = self.get_object()
        purpose = scoped_or_404(Purpose, self.organization, purpose_id, "Purpose")
        deployment_detach_purpose(deployment=deployment, purpose=purpose, actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _grants(self, deployment):
        return [
            {"user_id": user.pk, "username": user.get_username(), "permissions": perms}
            for user, perms in deployment_operator_grants(deployment=deployment).items()
            if perms
        ]

    @extend_schema(responses=GrantOutput(many=True))
    @action(detail=True, methods=["get"])
    def grants(self, request, pk=None):
        return Response(self._grants(self.get_object()))

    @extend_schema(request=GrantInput, responses={201: GrantOutput(many=True)})
    @grants.mapping.post
    @idempotent
    def add_grant(self, request, pk=None):
        data = GrantInput(data=request.data)
        data.is_valid(raise_exception=True)
        deployment = self.get_object()
        user = user_by_id(
            organization=self.organization,
            user_id=data.validated_data["user_id"],
            field="user_id",
        )
        deployment_grant_operator(
            deployment=deployment,
            user=user,
            actor=self.actor,
            perms=data.validated_data.get("permissions"),
        )
        return Response(self._grants(deployment), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"grants/(?P<user_id>\d+)")
    def remove_grant(self, request, pk=None, user_id=None):
        deployment = self.get_object()
        user = user_by_id(organization=self.organization, user_id=int(user_id))
        deployment_revoke_operator(deployment=deployment, user=user, actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)
