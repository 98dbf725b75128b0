"""/api/v1/portability-transfers/: send a subject's data to a processor they name (R46).

Staff file a transfer on the person's behalf (with the identity check they made); the DPO
reads the eligibility check the service computed, re-runs it (``check``), and approves or
refuses with a reason. Approval delivers: ``download_url`` is the receiver's single-use link
(handed over by the DPO), or the data is imported into the receiving organization on this
platform. The request itself (deadline, status, answer) is at /api/v1/data-requests/{id}/.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from consent.models import Subject
from dsr.models import DataRequest, PortabilityTransfer
from dsr.services.transfer import (
    portability_transfer_check,
    portability_transfer_file,
    portability_transfer_refuse,
)
from dsr.services.transfer_delivery import (
    portability_transfer_approve,
    portability_transfer_link_token,
)
from governance.models import Location
from tenants import roles
from tenants.idempotency import idempotent
from tenants.references import reference_resolve
from tenants.scoping import OrgScopedMixin


class EligibilityCheckOutput(serializers.Serializer):
    check = serializers.ChoiceField(
        choices=["receiver_identified", "receiver_on_platform", "transfer_basis"]
        + ["subject_verified", "export_valid"]
    )
    ok = serializers.BooleanField()
    message = serializers.CharField(help_text="What was found; for a failed check, the reason.")


class TransferOutput(serializers.ModelSerializer):
    status = serializers.CharField(source="data_request.status", read_only=True)
    subject_pseudonym = serializers.UUIDField(
        source="data_request.subject_pseudonym", read_only=True
    )
    rejection_reason = serializers.CharField(source="data_request.rejection_reason", read_only=True)
    eligibility = EligibilityCheckOutput(many=True, read_only=True)
    eligible = serializers.BooleanField(source="is_eligible", read_only=True)
    target_organization = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    import_id = serializers.PrimaryKeyRelatedField(
        source="import_record", read_only=True, allow_null=True
    )
    download_url = serializers.SerializerMethodField(
        help_text="The receiver's single-use link, while it has not been used (delivery link)."
    )

    class Meta:
        model = PortabilityTransfer
        fields = [
            "id",
            "data_request",
            "status",
            "subject_pseudonym",
            "receiver_name",
            "receiver_contact",
            "receiver_location",
            "delivery",
            "receiver_slug",
            "target_organization",
            "recipient",
            "eligibility",
            "eligible",
            "eligibility_checked_at",
            "approved_at",
            "link_expires_at",
            "delivered_at",
            "delivered_sha256",
            "import_id",
            "rejection_reason",
            "download_url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, transfer) -> str | None:
        token = portability_transfer_link_token(transfer)
        if not token:
            return None
        path = reverse("dsr:transfer_fetch", kwargs={"token": token})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TransferFileInput(serializers.Serializer):
    subject = serializers.UUIDField(help_text="The subject's pseudonym.")
    receiver_name = serializers.CharField(max_length=200)
    receiver_contact = serializers.CharField(max_length=300)
    receiver_location = serializers.ChoiceField(choices=Location.choices)
    delivery = serializers.ChoiceField(choices=PortabilityTransfer.Delivery.choices)
    receiver_slug = serializers.SlugField(
        required=False,
        allow_blank=True,
        help_text="Delivery import: the receiving organization's slug on this platform.",
    )
    message = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    identity_check = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="How the person's identity was checked (R45); else record it later.",
    )
    language = serializers.ChoiceField(choices=["en", "zh-hans"], required=False)


class TransferRefuseInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        help_text="Shown to the person; empty: the failed eligibility checks are the reason.",
    )


class PortabilityTransferViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Portability transfer requests and their approval. Owners and DPOs (HANDLE_REQUESTS)."""

    queryset = PortabilityTransfer.objects.none()
    serializer_class = TransferOutput
    ordering_fields = ["id"]
    filterset_fields = ["delivery", "receiver_location"]
    required_perms = {"*": roles.HANDLE_REQUESTS}

    def scoped_queryset(self):
        return PortabilityTransfer.objects.for_org(self.organization).select_related(
            "data_request", "target_organization"
        )

    def _answer(self, transfer, code=status.HTTP_200_OK):
        transfer = self.scoped_queryset().get(pk=transfer.pk)
        return Response(TransferOutput(transfer, context={"request": self.request}).data, code)

    @extend_schema(request=TransferFileInput, responses={201: TransferOutput})
    @idempotent
    def create(self, request):
        data = TransferFileInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        subject = reference_resolve(
            Subject.objects.for_org(self.organization),
            values["subject"],
            field="subject",
            lookup="pseudonym",
        )
        transfer = portability_transfer_file(
            subject=subject,
            channel=DataRequest.Channel.API,
            actor=self.actor,
            receiver_name=values["receiver_name"],
            receiver_contact=values["receiver_contact"],
            receiver_location=values["receiver_location"],
            delivery=values["delivery"],
            receiver_slug=values.get("receiver_slug", ""),
            message=values.get("message", ""),
            identity_check=values.get("identity_check", ""),
            language=values.get("language", ""),
        )
        return self._answer(transfer, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TransferOutput)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Run the eligibility check again (a basis may have been recorded since)."""
        transfer = self.get_object()
        portability_transfer_check(transfer=transfer, actor=self.actor)
        return self._answer(transfer)

    @extend_schema(request=None, responses=TransferOutput)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve an eligible transfer and deliver it; 409 transfer_ineligible otherwise."""
        transfer = portability_transfer_approve(transfer=self.get_object(), actor=self.actor)
        return self._answer(transfer)

    @extend_schema(request=TransferRefuseInput, responses=TransferOutput)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """Refuse with a reason the person is told (R49)."""
        data = TransferRefuseInput(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = portability_transfer_refuse(
            transfer=self.get_object(),
            actor=self.actor,
            reason=data.validated_data.get("reason", ""),
        )
        return self._answer(transfer)
