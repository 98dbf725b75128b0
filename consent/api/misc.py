"""Receipt verification (public), minors' rules and signing keys."""

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from consent.models import MinorDataRules, SigningKey
from consent.receipts import receipt_verify
from consent.services import minor_rules_publish, signing_key_rotate
from tenants import roles
from tenants.idempotency import idempotent
from tenants.scoping import OrgScopedMixin


class ReceiptVerifyInput(serializers.Serializer):
    receipt = serializers.JSONField(help_text="The receipt document: {receipt, signature}.")


class ReceiptVerifyOutput(serializers.Serializer):
    valid = serializers.BooleanField()
    reason = serializers.CharField()
    kid = serializers.CharField()
    organization = serializers.CharField()
    receipt_id = serializers.CharField()
    consent_id = serializers.CharField()
    issued_for = serializers.CharField()
    issued_at = serializers.CharField()
    current_state = serializers.CharField()


class ReceiptVerifyView(APIView):
    """Check a receipt's signature and its consent's current state; open to anyone holding one.

    Send the downloaded document as the body itself, or wrapped as ``{"receipt": document}``.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=ReceiptVerifyInput, responses=ReceiptVerifyOutput)
    def post(self, request):
        body = request.data
        if not isinstance(body, dict) or "receipt" not in body:
            # Both forms hold a "receipt" key (the document is {receipt, signature}): anything
            # else is a bad request rather than an invalid receipt (issue 15, fuzzing).
            raise serializers.ValidationError(
                {"receipt": ["Send the receipt document, a JSON object."]}
            )
        if isinstance(body, dict) and set(body) == {"receipt"}:
            body = body["receipt"]
        result = receipt_verify(document=body)
        return Response(result.as_dict())


class MinorRulesOutput(serializers.ModelSerializer):
    class Meta:
        model = MinorDataRules
        fields = ["id", "title", "body", "url", "content_hash", "published_at"]


class MinorRulesInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    # The column holds 200 characters; a longer address answered 500 (issue 15, fuzzing).
    url = serializers.URLField(required=False, allow_blank=True, max_length=200)


class MinorRulesFilter(django_filters.FilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains", help_text="Words in the title.")

    class Meta:
        model = MinorDataRules
        fields = ["title"]


class MinorRulesViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The organization's rules for minors' face data (R15); newest first is in force."""

    queryset = MinorDataRules.objects.none()
    serializer_class = MinorRulesOutput
    filterset_class = MinorRulesFilter
    ordering_fields = ["published_at", "title"]
    required_perms = {
        "list": roles.VIEW_SUBJECTS,
        "retrieve": roles.VIEW_SUBJECTS,
        "create": roles.MANAGE_GOVERNANCE,
    }

    @extend_schema(request=MinorRulesInput, responses={201: MinorRulesOutput})
    @idempotent
    def create(self, request):
        data = MinorRulesInput(data=request.data)
        data.is_valid(raise_exception=True)
        rules = minor_rules_publish(
            organization=self.organization, actor=self.actor, **data.validated_data
        )
        return Response(MinorRulesOutput(rules).data, status=status.HTTP_201_CREATED)


class SigningKeyOutput(serializers.ModelSerializer):
    class Meta:
        model = SigningKey
        fields = ["kid", "public_key", "created_at", "retired_at"]


class SigningKeyFilter(django_filters.FilterSet):
    # True: the key that signs new receipts; false: retired keys, kept to verify old ones.
    active = django_filters.BooleanFilter(
        field_name="retired_at", lookup_expr="isnull", help_text="Not retired."
    )

    class Meta:
        model = SigningKey
        fields = ["active"]


class SigningKeyViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The organization's receipt-signing keys (public halves only)."""

    queryset = SigningKey.objects.none()
    serializer_class = SigningKeyOutput
    filterset_class = SigningKeyFilter
    # A key has no page of its own; the new one heads the list of active keys.
    created_paths = {"rotate": lambda view, data: reverse("api:signing-key-list")}
    ordering_fields = ["created_at", "retired_at"]
    required_perms = {"list": roles.VIEW_SUBJECTS, "rotate": roles.MANAGE_GOVERNANCE}

    @extend_schema(request=None, responses={201: SigningKeyOutput})
    @action(detail=False, methods=["post"])
    @idempotent
    def rotate(self, request):
        """Make a new signing key; the old public key stays published."""
        key = signing_key_rotate(organization=self.organization, actor=self.actor)
        return Response(SigningKeyOutput(key).data, status=status.HTTP_201_CREATED)
