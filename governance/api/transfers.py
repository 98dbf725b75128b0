"""/api/v1/recipients/ (R25) and /api/v1/transfer-bases/ (R26): who data is provided to, and
the legal basis of each transfer out of the PRC, each with its stored document."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from governance.api.deployments import RuleCheckOutput
from governance.models import Deployment, Location, Recipient, TransferBasis
from governance.residency import recipient_checks
from governance.services.transfers import (
    recipient_add,
    recipient_contract_open,
    transfer_basis_open,
    transfer_basis_record,
)
from governance.uploads import ATTACHMENT_MEDIA_TYPES, DEFAULT_MEDIA_TYPE
from tenants import roles
from tenants.idempotency import idempotent
from tenants.references import reference_resolve
from tenants.scoping import OrgScopedMixin

_DOWNLOAD = extend_schema(
    responses={
        (200, media_type): OpenApiTypes.BINARY
        for media_type in sorted({*ATTACHMENT_MEDIA_TYPES.values(), DEFAULT_MEDIA_TYPE})
    }
)


class RecipientOutput(serializers.ModelSerializer):
    has_contract = serializers.SerializerMethodField()
    abroad = serializers.BooleanField(read_only=True)
    checks = serializers.SerializerMethodField()

    class Meta:
        model = Recipient
        fields = [
            "id",
            "name",
            "contact",
            "purpose",
            "method",
            "data_types",
            "location",
            "abroad",
            "has_contract",
            "contract_name",
            "contract_sha256",
            "checks",
            "created_at",
        ]

    def get_has_contract(self, obj) -> bool:
        return bool(obj.contract)

    @extend_schema_field(RuleCheckOutput(many=True))
    def get_checks(self, obj) -> list[dict]:
        return [c.as_dict() for c in recipient_checks(obj)]


class RecipientInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    contact = serializers.CharField(max_length=300, required=False, allow_blank=True)
    purpose = serializers.CharField(required=False, allow_blank=True)
    method = serializers.CharField(max_length=200, required=False, allow_blank=True)
    data_types = serializers.CharField(max_length=300, required=False, allow_blank=True)
    location = serializers.ChoiceField(
        choices=Location.choices,
        required=False,
        allow_blank=True,
        help_text="Where the recipient stores and processes the data (R25; abroad: R26).",
    )
    contract = serializers.FileField(
        required=False, help_text="The signed contract; a recipient without one is refused (R25)."
    )


class RecipientViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The register of other processors data is provided to (R25), each with its contract.

    A consent names recipients from here only; one lacking its purpose, location or contract
    is refused (422, R25), and one abroad needs a transfer basis (R26).
    """

    queryset = Recipient.objects.none()
    serializer_class = RecipientOutput
    ordering_fields = ["name", "created_at"]
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["location"]
    required_perms = {
        "list": roles.VIEW_GOVERNANCE,
        "retrieve": roles.VIEW_GOVERNANCE,
        "contract": roles.VIEW_GOVERNANCE,
        "create": roles.MANAGE_GOVERNANCE,
    }

    @extend_schema(
        request={"multipart/form-data": RecipientInput}, responses={201: RecipientOutput}
    )
    @idempotent
    def create(self, request):
        data = RecipientInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        recipient = recipient_add(
            organization=self.organization,
            actor=self.actor,
            contract=values.pop("contract", None),
            **values,
        )
        return Response(RecipientOutput(recipient).data, status=status.HTTP_201_CREATED)

    @_DOWNLOAD
    @action(detail=True, methods=["get"])
    def contract(self, request, pk=None):
        """The signed contract with the recipient, as an attachment (every read is audited)."""
        handle, filename, media_type = recipient_contract_open(
            recipient=self.get_object(), actor=self.actor
        )
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=media_type)


class TransferBasisOutput(serializers.ModelSerializer):
    class Meta:
        model = TransferBasis
        fields = [
            "id",
            "deployment",
            "recipient",
            "mechanism",
            "reference",
            "valid_until",
            "document_name",
            "document_sha256",
            "recorded_by_label",
            "recorded_at",
        ]


class TransferBasisInput(serializers.Serializer):
    deployment = serializers.IntegerField(
        required=False, allow_null=True, help_text="The site whose data leaves the PRC; or:"
    )
    recipient = serializers.IntegerField(
        required=False, allow_null=True, help_text="The recipient abroad (one of the two)."
    )
    mechanism = serializers.ChoiceField(choices=TransferBasis.Mechanism.choices)
    reference = serializers.CharField(
        max_length=200, help_text="The assessment's, contract filing's or certificate's number."
    )
    valid_until = serializers.DateField(
        required=False, allow_null=True, help_text="After this day the basis no longer counts."
    )
    document = serializers.FileField(help_text="The result, the filed contract or the certificate.")


class TransferBasisViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The legal basis of each transfer out of the PRC (R26, PIPL Art. 38): a CAC security
    assessment, a filed standard contract or a certification, with its document. Enrollment at
    a deployment that stores or processes abroad is refused (422, R26) until one is in force."""

    queryset = TransferBasis.objects.none()
    serializer_class = TransferBasisOutput
    ordering_fields = ["recorded_at", "valid_until", "mechanism"]
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["deployment", "recipient", "mechanism"]
    required_perms = {
        "list": roles.VIEW_GOVERNANCE,
        "retrieve": roles.VIEW_GOVERNANCE,
        "download": roles.VIEW_GOVERNANCE,
        "create": roles.MANAGE_GOVERNANCE,
    }

    @extend_schema(
        request={"multipart/form-data": TransferBasisInput}, responses={201: TransferBasisOutput}
    )
    @idempotent
    def create(self, request):
        data = TransferBasisInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        deployment = recipient = None
        if v.get("deployment") is not None:
            deployment = reference_resolve(
                Deployment.objects.for_org(self.organization), v["deployment"], field="deployment"
            )
        if v.get("recipient") is not None:
            recipient = reference_resolve(
                Recipient.objects.for_org(self.organization), v["recipient"], field="recipient"
            )
        basis = transfer_basis_record(
            organization=self.organization,
            actor=self.actor,
            deployment=deployment,
            recipient=recipient,
            mechanism=v["mechanism"],
            reference=v["reference"],
            valid_until=v.get("valid_until"),
            document=v["document"],
        )
        return Response(TransferBasisOutput(basis).data, status=status.HTTP_201_CREATED)

    @_DOWNLOAD
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The assessment result, filed contract or certificate (every read is audited)."""
        handle, filename, media_type = transfer_basis_open(
            basis=self.get_object(), actor=self.actor
        )
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=media_type)
