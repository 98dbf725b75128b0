"""/api/v1/consent-check/: a gate asks whether it may recognise this person here, now."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from consent.services.checks import consent_check
from tenants import roles
from tenants.scoping import OrgPermission, OrgScopedMixin


class ConsentCheckInput(serializers.Serializer):
    deployment = serializers.IntegerField(help_text="The deployment the gate belongs to.")
    purpose = serializers.IntegerField(help_text="The purpose it would recognise the person for.")
    subject = serializers.UUIDField(
        help_text="The person's pseudonym, as enrollment and recognition results name them."
    )


class ConsentCheckOutput(serializers.Serializer):
    usable = serializers.BooleanField(
        help_text="True when a usable consent covers the person for this purpose here, now."
    )
    subject = serializers.UUIDField(source="pseudonym")
    deployment = serializers.IntegerField(source="deployment_id")
    purpose = serializers.IntegerField(source="purpose_id")
    checked_at = serializers.DateTimeField()


class ConsentCheckView(OrgScopedMixin, APIView):
    """Whether a usable consent covers a person for a purpose at a deployment (R12, R13).

    The same rule a recognition job applies before it names anyone: active, face processing
    granted, for the purpose's current version, within its term, a guardian's for a child, and
    not scoped to another deployment. Read fresh on every call: do not cache the answer, since a
    withdrawal takes effect at once. Needs the right to run jobs on the deployment (an
    operator's key with a grant there, or an owner's); every check is audited.
    """

    permission_classes = [OrgPermission]
    required_perms = {"get": roles.VIEW_ORGANIZATION}

    @extend_schema(parameters=[ConsentCheckInput], responses=ConsentCheckOutput)
    def get(self, request):
        data = ConsentCheckInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        check = consent_check(
            organization=self.organization,
            pseudonym=v["subject"],
            deployment_id=v["deployment"],
            purpose_id=v["purpose"],
            actor=self.actor,
            user=request.user,
        )
        return Response(ConsentCheckOutput(check).data)
