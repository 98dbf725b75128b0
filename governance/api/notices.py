"""/api/v1/notices/: notices per purpose version and language; immutable once published."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.models import Notice, PurposeVersion
from governance.services import notice_create, notice_delete, notice_publish, notice_update
from tenants import roles
from tenants.idempotency import idempotent
from tenants.references import reference_resolve
from tenants.scoping import OrgScopedMixin


class NoticeOutput(serializers.ModelSerializer):
    purpose_id = serializers.IntegerField(source="purpose_version.purpose_id", read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "purpose_id",
            "purpose_version",
            "language",
            *Notice.CONTENT_FIELDS,
            "status",
            "published_at",
            "content_hash",
            "created_at",
            "updated_at",
        ]


class NoticeUpdateInput(serializers.Serializer):
    """The R9 fields; blanks are allowed in a draft and refused at publishing."""

    controller_name = serializers.CharField(required=False, allow_blank=True)
    controller_contact = serializers.CharField(required=False, allow_blank=True)
    purpose_text = serializers.CharField(required=False, allow_blank=True)
    method_text = serializers.CharField(required=False, allow_blank=True)
    retention_text = serializers.CharField(required=False, allow_blank=True)
    necessity_text = serializers.CharField(required=False, allow_blank=True)
    rights_impact_text = serializers.CharField(required=False, allow_blank=True)
    rights_exercise_text = serializers.CharField(required=False, allow_blank=True)
    alternative_text = serializers.CharField(required=False, allow_blank=True)


class NoticeCreateInput(NoticeUpdateInput):
    purpose_version = serializers.IntegerField()
    language = serializers.ChoiceField(choices=Notice.Language.choices)


class NoticeViewSet(
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Notices (R9): every field required to publish; a published notice never changes."""

    queryset = Notice.objects.none()
    serializer_class = NoticeOutput
    ordering_fields = ["language", "status", "published_at", "created_at"]
    filterset_fields = ["purpose_version", "language", "status"]
    required_perms = {
        "list": roles.VIEW_GOVERNANCE,
        "retrieve": roles.VIEW_GOVERNANCE,
        "create": roles.MANAGE_GOVERNANCE,
        "partial_update": roles.MANAGE_GOVERNANCE,
        "destroy": roles.MANAGE_GOVERNANCE,
        "publish": roles.MANAGE_GOVERNANCE,
    }

    def scoped_queryset(self):
        return Notice.objects.for_org(self.organization).select_related("purpose_version")

    @extend_schema(request=NoticeCreateInput, responses={201: NoticeOutput})
    @idempotent
    def create(self, request):
        data = NoticeCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = reference_resolve(
            PurposeVersion.objects.for_org(self.organization),
            values.pop("purpose_version"),
            field="purpose_version",
        )
        notice = notice_create(
            organization=self.organization, actor=self.actor, purpose_version=version, **values
        )
        return Response(NoticeOutput(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoticeUpdateInput, responses=NoticeOutput)
    def partial_update(self, request, pk=None):
        data = NoticeUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        notice = notice_update(notice=self.get_object(), actor=self.actor, **data.validated_data)
        return Response(NoticeOutput(notice).data)

    def perform_destroy(self, instance):
        notice_delete(notice=instance, actor=self.actor)

    @extend_schema(request=None, responses=NoticeOutput)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        notice = notice_publish(notice=self.get_object(), actor=self.actor)
        return Response(NoticeOutput(notice).data)
