"""/api/v1/complaints/: complaints filed on deployments' public pages, and their answers (R52)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.models import Complaint
from governance.services.complaints import ANSWER_MAX, complaint_answer
from tenants import roles
from tenants.scoping import OrgScopedMixin


class ComplaintOutput(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = [
            "id",
            "deployment",
            "state",
            "message",
            "contact_name",
            "contact_email",
            "received_at",
            "deadline",
            "deadline_estimated",
            "overdue",
            "answer",
            "answered_at",
            "answered_by_label",
            "closed_at",
        ]

    overdue = serializers.BooleanField(source="is_overdue", read_only=True)


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=ANSWER_MAX)
    close = serializers.BooleanField(
        default=False, help_text="Close the complaint with this answer."
    )


class ComplaintViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Complaints about the organization's deployments, each due within 15 working days.

    Complaints carry the complainant's contact details, so only the roles that handle people's
    requests (owners and DPOs) read and answer them.
    """

    queryset = Complaint.objects.none()
    serializer_class = ComplaintOutput
    ordering_fields = ["received_at", "deadline", "state"]
    filterset_fields = ["deployment", "state"]
    required_perms = {
        "list": roles.HANDLE_REQUESTS,
        "retrieve": roles.HANDLE_REQUESTS,
        "answer": roles.HANDLE_REQUESTS,
    }

    @extend_schema(request=AnswerInput, responses=ComplaintOutput)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer the complaint (the complainant is mailed when they left an address)."""
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaint_answer(
            complaint=self.get_object(), actor=self.actor, **data.validated_data
        )
        return Response(ComplaintOutput(complaint).data)
