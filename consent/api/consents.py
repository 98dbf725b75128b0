"""/api/v1/consents/: grant, withdraw, restrict, restore; receipts of each consent."""

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from audit.services import audit_record
from consent.api.common import JSONValueField
from consent.models import Consent, ConsentEvent, ConsentReceipt, ConsentRecipient, Subject
from consent.receipts import receipt_document
from consent.selectors import consent_events, consent_purge_status, consents_for_org
from consent.services import (
    Evidence,
    Guardian,
    Recipient,
    consent_decline,
    consent_grant,
    consent_restore,
    consent_restrict,
    consent_withdraw,
)
from governance.models import Deployment, Device, Notice, PurposeVersion
from tenants import roles
from tenants.idempotency import idempotent
from tenants.json_schema import JsonMapField
from tenants.references import reference_resolve
from tenants.scoping import OrgScopedMixin


class ConsentRecipientSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentRecipient
        fields = ["name", "granted", "contact", "purpose", "method", "data_types", "location"]


class ConsentRecipientInput(serializers.Serializer):
    """A recipient named by its name in the organization's register, and the person's answer;
    what the person is told about it comes from the register (R25)."""

    name = serializers.CharField(max_length=200)
    granted = serializers.BooleanField()


class ConsentEventOutput(serializers.ModelSerializer):
    class Meta:
        model = ConsentEvent
        fields = ["type", "from_state", "to_state", "at", "actor_type", "channel", "reason"]


class TemplatePurgeOutput(serializers.Serializer):
    state = serializers.ChoiceField(choices=["pending", "done"])
    done_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()


class ConsentGuardianOutput(serializers.Serializer):
    name = serializers.CharField(help_text="Empty unless personal data may be shown.")
    relationship = serializers.CharField()
    verification = serializers.CharField(help_text="How the guardian was checked.")
    evidence = serializers.CharField(help_text="Empty unless personal data may be shown.")


class ReceiptSignatureOutput(serializers.Serializer):
    alg = serializers.CharField(help_text="The signature algorithm (Ed25519).")
    kid = serializers.CharField(help_text="The signing key, as published by the portal.")
    value = serializers.CharField(help_text="The signature of the receipt's canonical JSON.")


class ReceiptContentOutput(serializers.Serializer):
    """The signed content: a Kantara Consent Receipt v1.1 with an ISO/IEC TS 27560 record."""

    version = serializers.CharField()
    jurisdiction = serializers.CharField()
    consentTimestamp = serializers.IntegerField()  # noqa: N815 (Kantara's own key)
    collectionMethod = serializers.CharField()  # noqa: N815
    consentReceiptID = serializers.CharField()  # noqa: N815
    language = serializers.CharField()
    piiPrincipalId = serializers.CharField()  # noqa: N815
    piiControllers = serializers.ListField(child=JsonMapField())  # noqa: N815
    policyUrl = serializers.CharField()  # noqa: N815
    services = serializers.ListField(child=JsonMapField())
    sensitive = serializers.BooleanField()
    spiCat = serializers.ListField(child=serializers.CharField())  # noqa: N815
    publicKey = serializers.CharField()  # noqa: N815
    receiptCode = serializers.CharField()  # noqa: N815
    iso27560 = JsonMapField(help_text="The ISO/IEC TS 27560 record: header, processing, parties.")
    extensions = JsonMapField(help_text="PIPL, FRM and BIPA fields of this product.")


class ReceiptDocumentOutput(serializers.Serializer):
    receipt = ReceiptContentOutput()
    signature = ReceiptSignatureOutput()


class ConsentOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    subject = serializers.UUIDField(source="subject_pseudonym")
    purpose_version_number = serializers.IntegerField(source="purpose_version.version")
    recipients = ConsentRecipientSerializer(many=True)
    guardian = serializers.SerializerMethodField()
    template_purge = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "subject",
            "purpose",
            "purpose_version",
            "purpose_version_number",
            "deployment",
            "kind",
            "state",
            "face_processing",
            "central_storage",
            "raw_images",
            "cross_border",
            "recipients",
            "channel",
            "notice",
            "notice_hash",
            "language",
            "consent_ui_version",
            "is_minor_under_14",
            "guardian",
            "signed_document_sha256",
            "given_at",
            "expires_at",
            "withdrawn_at",
            "withdrawal_channel",
            "state_changed_at",
            "retain_until",
            "template_purge",
        ]

    @extend_schema_field(TemplatePurgeOutput(allow_null=True))
    def get_template_purge(self, obj) -> dict | None:
        # Withdrawn consents only: whether recognition's purge after it is pending or done.
        return consent_purge_status(consent=obj)

    @extend_schema_field(ConsentGuardianOutput(allow_null=True))
    def get_guardian(self, obj) -> dict | None:
        if obj.kind != Consent.Kind.GUARDIAN:
            return None
        # The guardian's name and evidence are personal data: shown as the subject's are
        # (SubjectOutput); their relationship and how they were checked are not.
        reveal = self.context.get("reveal_personal_data", False)
        return {
            "name": obj.guardian_name if reveal else "",
            "relationship": obj.guardian_relationship,
            "verification": obj.guardian_verification,
            "evidence": obj.guardian_evidence if reveal else "",
        }


class ConsentDetailOutput(ConsentOutput):
    events = serializers.SerializerMethodField()

    class Meta(ConsentOutput.Meta):
        fields = [*ConsentOutput.Meta.fields, "events"]

    def get_events(self, obj) -> list:
        return ConsentEventOutput(consent_events(consent=obj), many=True).data


class ConsentReceiptOutput(serializers.ModelSerializer):
    event = serializers.CharField(source="event.type")
    document = serializers.SerializerMethodField()

    class Meta:
        model = ConsentReceipt
        fields = ["receipt_id", "event", "kid", "created_at", "document"]

    @extend_schema_field(ReceiptDocumentOutput)
    def get_document(self, obj) -> dict:
        return receipt_document(obj)


class ConsentGrantOutput(serializers.Serializer):
    consent = ConsentOutput()
    receipt = ConsentReceiptOutput()


class ConsentGuardianInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    relationship = serializers.CharField(max_length=60)
    verification = serializers.CharField(max_length=200)
    evidence = serializers.CharField(max_length=300)


@extend_schema_field(ConsentRecipientInput(many=True))
class RecipientsField(JSONValueField):
    """The recipients the person answered for; JSON text in a multipart form."""


@extend_schema_field(ConsentGuardianInput)
class GuardianField(JSONValueField):
    """The guardian who consents for a child under 14 (R13); JSON text in a multipart form."""


class ConsentGrantInput(serializers.Serializer):
    subject = serializers.UUIDField()
    purpose_version = serializers.IntegerField()
    notice = serializers.IntegerField()
    deployment = serializers.IntegerField(required=False, allow_null=True)
    device = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=Consent.Kind.choices)
    channel = serializers.ChoiceField(choices=Consent.Channel.choices)
    consent_ui_version = serializers.CharField(max_length=40)
    # R4: no item has a default; each must be answered.
    face_processing = serializers.BooleanField()
    central_storage = serializers.BooleanField()
    raw_images = serializers.BooleanField()
    # R26, PIPL Art. 39: the separate consent to a transfer out of the PRC; absent is "no".
    cross_border = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The person's separate consent to a transfer out of the PRC (R26, PIPL Art. "
        "39): needed at a site that stores or processes abroad and for a recipient abroad.",
    )
    recipients = RecipientsField(required=False)
    guardian = GuardianField(required=False)
    signed_document = serializers.FileField(required=False)
    e_signature = serializers.CharField(max_length=200, required=False, allow_blank=True)
    term_days = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    ip = serializers.IPAddressField(required=False, allow_null=True)
    user_agent = serializers.CharField(max_length=400, required=False, allow_blank=True)

    def validate_recipients(self, value):
        items = ConsentRecipientInput(data=value, many=True)
        items.is_valid(raise_exception=True)
        return [Recipient(**item) for item in items.validated_data]

    def validate_guardian(self, value):
        guardian = ConsentGuardianInput(data=value)
        guardian.is_valid(raise_exception=True)
        return Guardian(**guardian.validated_data)


class ConsentDeclineInput(serializers.Serializer):
    subject = serializers.UUIDField()
    purpose_version = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=Consent.Channel.choices)


class ConsentWithdrawInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Consent.Channel.choices, default="api")


class ConsentReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ConsentFilter(django_filters.FilterSet):
    subject = django_filters.UUIDFilter(field_name="subject_pseudonym")

    class Meta:
        model = Consent
        fields = ["subject", "purpose", "purpose_version", "deployment", "state", "kind"]


class ConsentViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Consent records. Each write is a domain action: grant, withdraw, restrict, restore."""

    queryset = Consent.objects.none()
    serializer_class = ConsentOutput
    ordering_fields = ["given_at", "expires_at", "state_changed_at", "state", "kind"]
    lookup_field = "public_id"
    lookup_url_kwarg = "pk"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    filterset_class = ConsentFilter
    created_paths = {
        "create": lambda view, data: reverse("api:consent-detail", args=[data["consent"]["id"]])
    }
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    required_perms = {
        "list": roles.VIEW_SUBJECTS,
        "retrieve": roles.VIEW_SUBJECTS,
        "receipts": roles.VIEW_SUBJECTS,
        "create": roles.MANAGE_CONSENT,
        "withdraw": roles.MANAGE_CONSENT,
        "decline": roles.MANAGE_CONSENT,
        "restrict": roles.HANDLE_REQUESTS,
        "restore": roles.HANDLE_REQUESTS,
    }

    def scoped_queryset(self):
        return consents_for_org(organization=self.organization)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):  # the schema generator's view
            return context
        context["reveal_personal_data"] = self.request.user.has_perm(
            roles.VIEW_PERSONAL_DATA, self.organization
        )
        return context

    def _audit_read(self, consent: Consent) -> None:
        audit_record(
            organization_id=self.organization.pk,
            actor=self.actor,
            action="consent.viewed",
            target_type="consent",
            target_id=consent.pk,
            subject_pseudonym=str(consent.subject_pseudonym),
        )

    def retrieve(self, request, *args, **kwargs):
        consent = self.get_object()
        self._audit_read(consent)
        return Response(ConsentDetailOutput(consent, context=self.get_serializer_context()).data)

    def _ref(self, model, value, field, lookup="pk"):
        """Resolve a body reference within the organization (400 naming ``field`` if not)."""
        return reference_resolve(
            model.objects.for_org(self.organization), value, field=field, lookup=lookup
        )

    def _subject(self, pseudonym):
        return self._ref(Subject, pseudonym, "subject", lookup="pseudonym")

    @extend_schema(request=ConsentGrantInput, responses={201: ConsentGrantOutput})
    @idempotent
    def create(self, request):
        """Grant: one separate, explicit consent; returns it with its signed receipt."""
        data = ConsentGrantInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        device = self._ref(Device, v.get("device"), "device")
        consent, receipt = consent_grant(
            subject=self._subject(v["subject"]),
            purpose_version=self._ref(PurposeVersion, v["purpose_version"], "purpose_version"),
            notice=self._ref(Notice, v["notice"], "notice"),
            deployment=self._ref(Deployment, v.get("deployment"), "deployment"),
            actor=self.actor,
            evidence=Evidence(
                channel=v["channel"],
                consent_ui_version=v["consent_ui_version"],
                ip=v.get("ip") or getattr(request, "client_ip", None),
                user_agent=v.get("user_agent") or request.headers.get("User-Agent", ""),
                collected_by_id=request.user.pk,
                device_id=device.pk if device else None,
            ),
            kind=v["kind"],
            face_processing=v["face_processing"],
            central_storage=v["central_storage"],
            raw_images=v["raw_images"],
            cross_border=v.get("cross_border", False),
            recipients=v.get("recipients") or [],
            guardian=v.get("guardian"),
            signed_document=v.get("signed_document"),
            e_signature=v.get("e_signature", ""),
            term_days=v.get("term_days"),
            user=request.user,
        )
        body = {
            "consent": ConsentOutput(consent, context=self.get_serializer_context()).data,
            "receipt": ConsentReceiptOutput(receipt).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConsentDeclineInput, responses={204: None})
    @action(detail=False, methods=["post"])
    @idempotent
    def decline(self, request):
        """Record a decline; the person is routed to the alternative (R3, R4, R14)."""
        data = ConsentDeclineInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        consent_decline(
            organization=self.organization,
            subject=self._subject(v["subject"]),
            purpose_version=self._ref(PurposeVersion, v["purpose_version"], "purpose_version"),
            actor=self.actor,
            channel=v["channel"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ConsentWithdrawInput, responses=ConsentGrantOutput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw: effective when this request commits (R13)."""
        data = ConsentWithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent, receipt = consent_withdraw(
            consent=self.get_object(), actor=self.actor, channel=data.validated_data["channel"]
        )
        return Response(
            {
                "consent": ConsentOutput(consent, context=self.get_serializer_context()).data,
                "receipt": ConsentReceiptOutput(receipt).data,
            }
        )

    @extend_schema(request=ConsentReasonInput, responses=ConsentOutput)
    @action(detail=True, methods=["post"])
    def restrict(self, request, pk=None):
        """Stop all use while a hold lasts (PIPL Art. 47, R22)."""
        data = ConsentReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consent_restrict(
            consent=self.get_object(), actor=self.actor, reason=data.validated_data["reason"]
        )
        return Response(ConsentOutput(consent, context=self.get_serializer_context()).data)

    @extend_schema(request=ConsentReasonInput, responses=ConsentOutput)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        data = ConsentReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consent_restore(
            consent=self.get_object(), actor=self.actor, reason=data.validated_data["reason"]
        )
        return Response(ConsentOutput(consent, context=self.get_serializer_context()).data)

    @extend_schema(responses=ConsentReceiptOutput(many=True))
    @action(detail=True, methods=["get"])
    def receipts(self, request, pk=None):
        consent = self.get_object()
        self._audit_read(consent)
        receipts = consent.receipts.select_related("event")
        return Response(ConsentReceiptOutput(receipts, many=True).data)
