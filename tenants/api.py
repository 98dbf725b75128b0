"""REST API for the organization, its members and its API keys."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenants import roles
from tenants.models import ApiKey, Invitation, Membership, Organization
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


class OrganizationOutput(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "slug", *ORGANIZATION_FIELDS, "created_at"]


class OrganizationInput(serializers.ModelSerializer):
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
    role = serializers.ChoiceField(choices=roles.Role.choices)


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
    filterset_fields = ["role"]
    required_perms = {"*": roles.MANAGE_MEMBERS}

    def scoped_queryset(self):
        return invitations_for_org(organization=self.organization)

    @extend_schema(request=InvitationInput, responses={201: InvitationOutput})
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
        fields = ["id", "name", "role", "prefix", "created_at", "last_used_at", "revoked_at"]


class ApiKeyCreated(ApiKeyOutput):
    key = serializers.CharField(help_text="The secret, shown only in this response.")

    class Meta(ApiKeyOutput.Meta):
        fields = [*ApiKeyOutput.Meta.fields, "key"]


class ApiKeyInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    role = serializers.ChoiceField(choices=roles.Role.choices)


class ApiKeyViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """API keys: created with their secret shown once, revoked with immediate effect."""

    queryset = ApiKey.objects.none()
    serializer_class = ApiKeyOutput
    filterset_fields = ["role"]
    required_perms = {"*": roles.MANAGE_API_KEYS}

    def scoped_queryset(self):
        return api_keys_for_org(organization=self.organization)

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
