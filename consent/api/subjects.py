"""/api/v1/subjects/: data subjects, addressed by their pseudonym."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.services.recording import EventSpec, audit_record_many
from consent.models import Subject
from consent.selectors import subjects_for_org
from consent.services import subject_create, subject_erase, subject_record_choice, subject_update
from tenants import roles
from tenants.scoping import OrgScopedMixin


class SubjectOutput(serializers.ModelSerializer):
    class Meta:
        model = Subject
        fields = [
            "pseudonym",
            "external_ref",
            "display_name",
            "email",
            "phone",
            "date_of_birth",
            "age_bracket",
            "choice",
            "choice_at",
            "turned_14_at",
            "erased_at",
            "created_at",
        ]


class SubjectInput(serializers.Serializer):
    external_ref = serializers.CharField(max_length=120, required=False, allow_blank=True)
    display_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    age_bracket = serializers.ChoiceField(choices=Subject.AgeBracket.choices, required=False)


class ChoiceInput(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Subject.Choice.choices)


class SubjectViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Data subjects of the organization. Every read of their details is audited."""

    queryset = Subject.objects.none()
    serializer_class = SubjectOutput
    lookup_field = "pseudonym"
    lookup_value_regex = "[0-9a-f-]{36}"
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["choice", "age_bracket", "external_ref"]
    required_perms = {
        "list": roles.VIEW_SUBJECTS,
        "retrieve": roles.VIEW_SUBJECTS,
        "create": roles.MANAGE_CONSENT,
        "partial_update": roles.MANAGE_CONSENT,
        "choice": roles.MANAGE_CONSENT,
        "erase": roles.HANDLE_REQUESTS,
    }

    def scoped_queryset(self):
        return subjects_for_org(
            organization=self.organization, search=self.request.query_params.get("search", "")
        )

    def _audit_read(self, subjects, action_name: str):
        audit_record_many(
            organization_id=self.organization.pk,
            actor=self.actor,
            events=[
                EventSpec(action_name, "subject", str(s.pk), str(s.pseudonym)) for s in subjects
            ],
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self._audit_read(page, "subject.listed")
        return self.get_paginated_response(SubjectOutput(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        subject = self.get_object()
        self._audit_read([subject], "subject.viewed")
        return Response(SubjectOutput(subject).data)

    @extend_schema(request=SubjectInput, responses={201: SubjectOutput})
    def create(self, request):
        data = SubjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        subject = subject_create(
            organization=self.organization, actor=self.actor, **data.validated_data
        )
        return Response(SubjectOutput(subject).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubjectInput, responses=SubjectOutput)
    def partial_update(self, request, pseudonym=None):
        data = SubjectInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        subject = subject_update(subject=self.get_object(), actor=self.actor, **data.validated_data)
        return Response(SubjectOutput(subject).data)

    @extend_schema(request=ChoiceInput, responses=SubjectOutput)
    @action(detail=True, methods=["post"])
    def choice(self, request, pseudonym=None):
        """Record face recognition or the non-biometric alternative (R3, R14)."""
        data = ChoiceInput(data=request.data)
        data.is_valid(raise_exception=True)
        subject = subject_record_choice(
            subject=self.get_object(), actor=self.actor, choice=data.validated_data["choice"]
        )
        return Response(SubjectOutput(subject).data)

    @extend_schema(request=None, responses=SubjectOutput)
    @action(detail=True, methods=["post"])
    def erase(self, request, pseudonym=None):
        """Erase identity, keep the pseudonym and the consent history (R16)."""
        subject = subject_erase(subject=self.get_object(), actor=self.actor)
        return Response(SubjectOutput(subject).data)
