"""/api/v1/review-queue/: matches awaiting a person's decision (R43), and the webhook endpoint."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from recognition.api.jobs import ResultOutput
from recognition.models import RecognitionResult, WebhookEndpoint
from recognition.selectors import review_queue
from recognition.services.review import result_review
from recognition.services.webhooks import webhook_endpoint_set
from tenants import roles
from tenants.scoping import OrgPermission, OrgScopedMixin


class ReviewItemOutput(ResultOutput):
    job = serializers.UUIDField(source="job.public_id")

    class Meta(ResultOutput.Meta):
        fields = ["id", "job", *ResultOutput.Meta.fields, "created_at"]


class ReviewDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["confirm", "reject"])
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    subject = serializers.CharField(
        max_length=36,
        required=False,
        allow_blank=True,
        help_text="For an ambiguous answer: the candidate's pseudonym the reviewer confirms.",
    )


class ReviewQueueFilter(django_filters.FilterSet):
    job = django_filters.UUIDFilter(field_name="job__public_id", help_text="The job's id.")
    decision = django_filters.ChoiceFilter(choices=RecognitionResult.Decision.choices)

    class Meta:
        model = RecognitionResult
        fields = ["job", "decision"]


class ReviewQueueViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = RecognitionResult.objects.none()
    serializer_class = ReviewItemOutput
    filterset_class = ReviewQueueFilter
    ordering_fields = ["created_at", "distance"]
    required_perms = {"list": roles.REVIEW_RESULTS, "decide": roles.REVIEW_RESULTS}

    def scoped_queryset(self):
        return review_queue(organization=self.organization)

    @extend_schema(request=ReviewDecisionInput, responses=ReviewItemOutput)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Confirm or reject a pending match; only then may anyone act on it."""
        data = ReviewDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = self.get_object()
        result = result_review(
            result=result,
            actor=self.actor,
            decision=data.validated_data["decision"],
            note=data.validated_data.get("note", ""),
            subject_pseudonym=data.validated_data.get("subject", ""),
        )
        return Response(ReviewItemOutput(result).data)


class WebhookInput(serializers.Serializer):
    url = serializers.URLField(max_length=500)


class WebhookOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["url", "active", "created_at", "updated_at"]


class WebhookEndpointView(OrgScopedMixin, APIView):
    """The organization's webhook endpoint. Setting it returns a new secret, shown only once."""

    permission_classes = [OrgPermission]
    required_perms = {"get": roles.CHANGE_ORGANIZATION, "put": roles.CHANGE_ORGANIZATION}

    @extend_schema(responses=WebhookOutput)
    def get(self, request):
        endpoint = WebhookEndpoint.objects.for_org(self.organization).first()
        if endpoint is None:
            # An empty body with no content type broke the documented answer (issue 15).
            raise NotFound("No webhook endpoint is set.")
        return Response(WebhookOutput(endpoint).data)

    @extend_schema(request=WebhookInput, responses=WebhookOutput)
    def put(self, request):
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = webhook_endpoint_set(
            organization=self.organization, url=data.validated_data["url"], actor=self.actor
        )
        return Response(WebhookOutput(endpoint).data | {"secret": secret})
