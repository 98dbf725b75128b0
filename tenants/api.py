"""REST API for the organization, its members and its API keys."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenants import roles
from tenants.idempotency import idempotent
from tenants.models import ApiKey, Invitation, Membership, Organization
from tenants.rate_limits import ROUTE_CLASSES, SCOPES, rate_limits_in_force
from tenants.scoping import OrgScopedMixin
from tenants.selectors import api_keys_for_org, invitations_for_org, memberships_for_org
from tenants.services import (
    ORGANIZATION_FIELDS,
    api_key_create,
    api_key_revoke,
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
    organization_update,
)


class RouteLimits(serializers.Serializer):
    """Requests per window for one route class; null or absent: the default."""

    key = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Per API key (or signed-in person).",
    )
    organization = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="For the whole organization."
    )

    def to_internal_value(self, data):
        _refuse_unknown(data, SCOPES, "scope")
        return super().to_internal_value(data)


class RateLimits(serializers.Serializer):
    """An organization's own API rate limits by route class (read, write, upload)."""

    read = RouteLimits(required=False, allow_null=True)
    write = RouteLimits(required=False, allow_null=True)
    upload = RouteLimits(
        required=False, allow_null=True, help_text="Enrollment and recognition-job uploads."
    )

    def to_internal_value(self, data):
        _refuse_unknown(data, ROUTE_CLASSES, "route class")
        return super().to_internal_value(data)


def _refuse_unknown(data, known: tuple, what: str) -> None:
    # DRF drops keys a serializer does not name: a misspelt "uplaod" would be a silent no-op.
    unknown = sorted(map(str, set(data) - set(known))) if isinstance(data, dict) else []
    if unknown:
        raise serializers.ValidationError(
            f"Unknown {what}: {', '.join(unknown)}; expected {', '.join(known)}."
        )


class StoredRouteLimits(serializers.Serializer):
    key = serializers.IntegerField(required=False)
    organization = serializers.IntegerField(required=False)


class StoredRateLimits(serializers.Serializer):
    """The limits the organization set itself; what is absent takes the default."""

    read = StoredRouteLimits(required=False)
    write = StoredRouteLimits(required=False)
    upload = StoredRouteLimits(required=False)


class RouteLimitsInForce(serializers.Serializer):
    key = serializers.IntegerField()
    organization = serializers.IntegerField()


class RateLimitsInForce(serializers.Serializer):
    read = RouteLimitsInForce()
    write = RouteLimitsInForce()
    upload = RouteLimitsInForce()
    window_seconds = serializers.IntegerField(help_text="The window every limit counts in.")


class OrganizationOutput(serializers.ModelSerializer):
    rate_limits = StoredRateLimits(read_only=True)
    rate_limits_in_force = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "slug", *ORGANIZATION_FIELDS, "rate_limits_in_force", "created_at"]

    @extend_schema_field(RateLimitsInForce)
    def get_rate_limits_in_force(self, obj) -> dict:
        return rate_limits_in_force(obj) | {"window_seconds": settings.API_RATE_WINDOW_SECONDS}


class OrganizationInput(serializers.ModelSerializer):
    rate_limits = RateLimits(
        required=False,
        allow_null=True,
        help_text=(
            "Replaces the organization's own API rate limits as a whole ({} or null: the "
            "defaults). Each limit is at least 1 and at most the operator's ceiling."
        ),
    )

    class Meta:
        model = Organization
        fields = list(ORGANIZATION_FIELDS)
        extra_kwargs = {field: {"required": False} for field in ORGANIZATION_FIELDS}


class OrganizationView(OrgScopedMixin, generics.GenericAPIView):
    """The organization the request acts for."""

    required_perms = {"get": roles.VIEW_ORGANIZATION, "patch": roles.CHANGE_ORGANIZATION}
    serializer_class = OrganizationOutput

    @extend_schema(responses=OrganizationOutput)
    def get(self, request):
        return Response(OrganizationOutput(self.organization).data)

    @extend_schema(request=OrganizationInput, responses=OrganizationOutput)
    def patch(self, request):
        data = OrganizationInput(self.organization, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        org = organization_update(
            organization=self.organization, actor=self.actor, **data.validated_data
        )
        return Response(OrganizationOutput(org).data)


class MembershipOutput(serializers.ModelSerializer):
    # An API key's member has no address: "" is not an e-mail (issue 15, fuzzing).
    email = serializers.CharField(source="user.email")
    is_api_key = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user_id", "email", "role", "is_api_key", "created_at"]

    def get_is_api_key(self, obj) -> bool:
        return hasattr(obj.user, "api_key")


class MembershipUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=roles.Role.choices)


class MembershipViewSet(
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the organization and their roles. People join by invitation (/invitations/)."""

    queryset = Membership.objects.none()
    serializer_class = MembershipOutput
    ordering_fields = ["role", "created_at"]
    http_method_names = ["get", "patch", "delete", "head", "options"]
    filterset_fields = ["role"]
    required_perms = {
        "list": roles.VIEW_MEMBERS,
        "retrieve": roles.VIEW_MEMBERS,
        "partial_update": roles.MANAGE_MEMBERS,
        "destroy": roles.MANAGE_MEMBERS,
    }

    def scoped_queryset(self):
        return memberships_for_org(organization=self.organization)

    @extend_schema(request=MembershipUpdateInput, responses=MembershipOutput)
    def partial_update(self, request, pk=None):
        data = MembershipUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        membership = self.get_object()
        # A PATCH without a role changes nothing (the schema, as PATCH does, makes it optional).
        if "role" in data.validated_data:
            membership = membership_change_role(
                membership=membership, actor=self.actor, role=data.validated_data["role"]
            )
        return Response(MembershipOutput(membership).data)

    def perform_destroy(self, instance):
        """Remove the member; for an API key's service user, the key is revoked with it."""
        membership_remove(membership=instance, actor=self.actor)


class InvitationOutput(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "state", "created_at", "expires_at", "accepted_at"]


class InvitationInput(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(
        choices=roles.Role.choices,
        default=roles.LEAST_PRIVILEGED_ROLE,
        help_text="Default: auditor, the least privileged role.",
    )


class InvitationViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Invitations to join the organization.

    Creating one mails a link to the address; the person accepts it as themselves (their own
    account, or a new one with a password they choose). The answer is the same whether or not
    the address has an account elsewhere, and no request here ever sets a password.
    """

    queryset = Invitation.objects.none()
    serializer_class = InvitationOutput
    ordering_fields = ["role", "created_at", "expires_at"]
    filterset_fields = ["role"]
    required_perms = {"*": roles.MANAGE_MEMBERS}

    def scoped_queryset(self):
        return invitations_for_org(organization=self.organization)

    @extend_schema(request=InvitationInput, responses={201: InvitationOutput})
    @idempotent
    def create(self, request):
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitation_create(
            organization=self.organization, actor=self.actor, **data.validated_data
        )
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationOutput)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = invitation_revoke(invitation=self.get_object(), actor=self.actor)
        return Response(InvitationOutput(invitation).data)


class ApiKeyOutput(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        # scope: "compreface" for a CompreFace client's key (its binding: /compreface-keys/).
        fields = [
            "id",
            "name",
            "role",
            "scope",
            "prefix",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]


class ApiKeyCreated(ApiKeyOutput):
    key = serializers.CharField(help_text="The secret, shown only in this response.")

    class Meta(ApiKeyOutput.Meta):
        fields = [*ApiKeyOutput.Meta.fields, "key"]


class ApiKeyInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    role = serializers.ChoiceField(
        choices=roles.Role.choices,
        default=roles.LEAST_PRIVILEGED_ROLE,
        help_text="Default: auditor, the least privileged role.",
    )


class ApiKeyViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """API keys: created with their secret shown once, revoked with immediate effect."""

    queryset = ApiKey.objects.none()
    serializer_class = ApiKeyOutput
    ordering_fields = ["name", "role", "created_at", "last_used_at"]
    filterset_fields = ["role"]
    required_perms = {"*": roles.MANAGE_API_KEYS}

    def scoped_queryset(self):
        return api_keys_for_org(organization=self.organization)

    # Not @idempotent: its answer carries the new secret, and keeping that answer for a retry
    # would store a usable credential beside its hash. A client unsure whether a key was made
    # lists the keys by name and revokes the spare.
    @extend_schema(request=ApiKeyInput, responses={201: ApiKeyCreated})
    def create(self, request):
        data = ApiKeyInput(data=request.data)
        data.is_valid(raise_exception=True)
        key, secret = api_key_create(
            organization=self.organization, actor=self.actor, **data.validated_data
        )
        body = ApiKeyOutput(key).data | {"key": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApiKeyOutput)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        key = api_key_revoke(api_key=self.get_object(), actor=self.actor)
        return Response(ApiKeyOutput(key).data)
