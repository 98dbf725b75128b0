"""/api/v1/compreface-keys/: keys for CompreFace clients, each bound to a deployment and purpose.

A key is listed and revoked with the others at /api/v1/api-keys/ (its ``id`` is the API key's);
here it is created with its binding, and its binding is read.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from recognition.api.common import resolve_targets
from recognition.models import CompreFaceBinding
from recognition.services.compreface import COMPREFACE_GRANTS, compreface_key_create
from tenants import roles
from tenants.scoping import OrgScopedMixin


class CompreFaceKeyInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    deployment = serializers.IntegerField(help_text="The deployment the key may act on.")
    purpose = serializers.IntegerField(
        help_text="The purpose whose gallery is the key's collection; declared for the deployment."
    )


class CompreFaceKeyOutput(serializers.ModelSerializer):
    id = serializers.IntegerField(source="api_key_id", help_text="The API key's id.")
    name = serializers.CharField(source="api_key.name")
    prefix = serializers.CharField(source="api_key.prefix")
    grants = serializers.SerializerMethodField()
    last_used_at = serializers.DateTimeField(source="api_key.last_used_at", allow_null=True)
    revoked_at = serializers.DateTimeField(source="api_key.revoked_at", allow_null=True)
    revoke_url = serializers.SerializerMethodField()

    class Meta:
        model = CompreFaceBinding
        fields = [
            "id",
            "name",
            "prefix",
            "deployment",
            "purpose",
            "grants",
            "created_at",
            "last_used_at",
            "revoked_at",
            "revoke_url",
        ]

    def get_grants(self, obj) -> list[str]:
        return COMPREFACE_GRANTS

    def get_revoke_url(self, obj) -> str:
        url = reverse("api:api-key-revoke", args=[obj.api_key_id])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CompreFaceKeyCreated(CompreFaceKeyOutput):
    key = serializers.CharField(
        help_text="The secret, shown only in this response: the client's x-api-key header."
    )

    class Meta(CompreFaceKeyOutput.Meta):
        fields = [*CompreFaceKeyOutput.Meta.fields, "key"]


class CompreFaceKeyViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """CompreFace-compatible keys (docs/compreface.md), managed by whoever manages API keys."""

    queryset = CompreFaceBinding.objects.none()
    serializer_class = CompreFaceKeyOutput
    lookup_field = "api_key_id"
    lookup_url_kwarg = "pk"
    filterset_fields = ["deployment", "purpose"]
    ordering_fields = ["created_at"]
    required_perms = {"*": roles.MANAGE_API_KEYS}

    def scoped_queryset(self):
        return CompreFaceBinding.objects.for_org(self.organization).select_related("api_key")

    # Not @idempotent, as /api-keys/: the answer carries the new secret, which must not be kept.
    @extend_schema(
        request=CompreFaceKeyInput,
        responses={201: CompreFaceKeyCreated},
        examples=[
            OpenApiExample(
                "A gate controller's key",
                value={"name": "Gate controller", "deployment": 1, "purpose": 1},
                request_only=True,
            )
        ],
    )
    # Not @idempotent: the answer carries the new secret, never kept beside its hash (as for
    # POST /api-keys/).
    def create(self, request):
        data = CompreFaceKeyInput(data=request.data)
        data.is_valid(raise_exception=True)
        targets = resolve_targets(self.organization, data.validated_data)
        _key, secret, binding = compreface_key_create(
            organization=self.organization,
            actor=self.actor,
            name=data.validated_data["name"],
            deployment=targets["deployment"],
            purpose=targets["purpose"],
        )
        body = CompreFaceKeyOutput(binding, context={"request": request}).data | {"key": secret}
        location = request.build_absolute_uri(
            reverse("api:compreface-key-detail", args=[binding.api_key_id])
        )
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})
