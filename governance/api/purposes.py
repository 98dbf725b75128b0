"""/api/v1/purposes/: declared purposes and their versions."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.models import Purpose, PurposeVersion
from governance.selectors import purposes_for_org
from governance.services import purpose_create, purpose_delete, purpose_update
from governance.services.purposes import VERSION_FIELDS
from tenants import roles
from tenants.idempotency import idempotent
from tenants.scoping import OrgScopedMixin


class PurposeVersionOutput(serializers.ModelSerializer):
    needs_human_review = serializers.BooleanField(read_only=True)

    class Meta:
        model = PurposeVersion
        fields = [
            "id",
            "version",
            *VERSION_FIELDS,
            "needs_human_review",
            "change_note",
            "created_by_label",
            "created_at",
        ]


class PurposeOutput(serializers.ModelSerializer):
    current_version = PurposeVersionOutput(read_only=True)

    class Meta:
        model = Purpose
        fields = [
            "id",
            "name",
            "name_zh_hans",
            "alternatives_zh_hans",
            "kind",
            "current_version",
            "created_at",
        ]


class PurposeTranslationInput(serializers.Serializer):
    """The purpose's texts in Simplified Chinese: not versioned, needed for a Chinese notice."""

    name_zh_hans = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The name in Simplified Chinese; a zh-hans notice publishes only with it.",
    )
    alternatives_zh_hans = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        help_text="Each alternative in Simplified Chinese, in the order of `alternatives`.",
    )


class PurposeVersionInput(serializers.Serializer):
    """The versioned content; shape only (the rules R3, R14, R20 are the service's)."""

    description = serializers.CharField()
    method = serializers.CharField()
    necessity_justification = serializers.CharField()
    alternatives = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )
    alternative_exemption_citation = serializers.CharField(
        required=False, allow_blank=True, max_length=300
    )
    fr_necessary_for_service = serializers.BooleanField(required=False, default=False)
    fr_necessity_justification = serializers.CharField(required=False, allow_blank=True)
    retention_days = serializers.IntegerField(min_value=1)
    significant_effect = serializers.BooleanField(required=False, default=False)
    keep_raw_images_allowed = serializers.BooleanField(required=False, default=False)
    match_threshold = serializers.FloatField(
        required=False, default=0.6, help_text="1:1 verification's distance tolerance."
    )
    declared_fpir = serializers.FloatField(
        required=False,
        default=0.001,
        help_text=(
            "R54: the share of never-enrolled people a 1:N search may name (0.001 = 1 in 1,000). "
            "The 1:N threshold is calibrated from the gallery for this rate."
        ),
    )
    human_review = serializers.BooleanField(
        required=False,
        default=False,
        help_text="R43: a person confirms every hit; ambiguous answers go to them too.",
    )
    change_note = serializers.CharField(required=False, allow_blank=True, max_length=300)


@extend_schema_field({"type": "string", "enum": list(Purpose.Kind.values)})
class PurposeKindField(serializers.CharField):
    """Documented as the enum it is, but read as a string: the service refuses any other kind
    under R41 with its reason (422), which a bare "not a valid choice" would not give."""


class PurposeCreateInput(PurposeTranslationInput, PurposeVersionInput):
    name = serializers.CharField(max_length=200)
    kind = PurposeKindField(max_length=40)


class PurposeUpdateInput(PurposeTranslationInput, PurposeVersionInput):
    name = serializers.CharField(max_length=200, required=False)


class PurposeViewSet(
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Purposes. A change to the content makes a new version (consents renew, PIA goes stale)."""

    queryset = Purpose.objects.none()
    serializer_class = PurposeOutput
    ordering_fields = ["name", "kind", "created_at"]
    filterset_fields = ["kind"]
    required_perms = {
        "list": roles.VIEW_GOVERNANCE,
        "retrieve": roles.VIEW_GOVERNANCE,
        "versions": roles.VIEW_GOVERNANCE,
        "create": roles.MANAGE_GOVERNANCE,
        "partial_update": roles.MANAGE_GOVERNANCE,
        "destroy": roles.MANAGE_GOVERNANCE,
    }

    def scoped_queryset(self):
        return purposes_for_org(organization=self.organization)

    @extend_schema(request=PurposeCreateInput, responses={201: PurposeOutput})
    @idempotent
    def create(self, request):
        data = PurposeCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        purpose = purpose_create(
            organization=self.organization, actor=self.actor, **data.validated_data
        )
        return Response(
            PurposeOutput(self.scoped_queryset().get(pk=purpose.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=PurposeUpdateInput(partial=True), responses=PurposeOutput)
    def partial_update(self, request, pk=None):
        data = PurposeUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        purpose = purpose_update(purpose=self.get_object(), actor=self.actor, **data.validated_data)
        return Response(PurposeOutput(self.scoped_queryset().get(pk=purpose.pk)).data)

    def perform_destroy(self, instance):
        purpose_delete(purpose=instance, actor=self.actor)

    @extend_schema(responses=PurposeVersionOutput(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        rows = self.get_object().versions.order_by("-version")
        return Response(PurposeVersionOutput(rows, many=True).data)
