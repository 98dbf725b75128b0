"""/api/v1/subjects/: data subjects, addressed by their pseudonym."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.services.recording import EventSpec, audit_record, audit_record_many
from consent.models import Subject
from consent.selectors import subjects_for_org
from consent.services import subject_create, subject_erase, subject_record_choice, subject_update
from tenants import roles
from tenants.idempotency import idempotent
from tenants.scoping import OrgScopedMixin


class SubjectOutput(serializers.ModelSerializer):
    """A subject; name, contacts and birth date only for whom the context reveals them to.

    Operators and auditors see pseudonyms unless the organization shows them personal data
    (roles.VIEW_PERSONAL_DATA, issue 15): otherwise those fields are empty and
    ``personal_data_hidden`` says why.
    """

    personal_data_hidden = serializers.SerializerMethodField()

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
            "personal_data_hidden",
        ]

    def get_personal_data_hidden(self, obj) -> bool:
        return not self.context.get("reveal_personal_data", False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["personal_data_hidden"]:
            data.update(display_name="", email="", phone="", date_of_birth=None)
        return data


class SubjectInput(serializers.Serializer):
    external_ref = serializers.CharField(max_length=120, required=False, allow_blank=True)
    display_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    age_bracket = serializers.ChoiceField(choices=Subject.AgeBracket.choices, required=False)


class SubjectChoiceInput(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Subject.Choice.choices)


class SubjectViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Data subjects of the organization. Every read of their details is audited."""

    queryset = Subject.objects.none()
    serializer_class = SubjectOutput
    ordering_fields = ["created_at", "updated_at", "choice", "age_bracket"]
    lookup_field = "pseudonym"
    location_key = "pseudonym"
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
            organization=self.organization,
            search=self.request.query_params.get("search", ""),
            personal_data=self._reveals(),
        )

    def _reveals(self) -> bool:
        return self.request.user.has_perm(roles.VIEW_PERSONAL_DATA, self.organization)

    def _out(self, subject, **kwargs):
        return SubjectOutput(subject, context={"reveal_personal_data": self._reveals()}, **kwargs)

    def _audit_read(self, subjects, action_name: str):
        # Every read is recorded (R31), and whether it showed names and contacts.
        details = {"personal_data": self._reveals()}
        audit_record_many(
            organization_id=self.organization.pk,
            actor=self.actor,
            events=[
                EventSpec(action_name, "subject", str(s.pk), str(s.pseudonym), details)
                for s in subjects
            ],
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # R31: one event per page read, naming every subject on it (the panel's lists do the
        # same), rather than one event per row.
        audit_record(
            organization_id=self.organization.pk,
            actor=self.actor,
            action="subject.listed",
            target_type="subject",
            details={
                "list": "subjects",
                "rows": len(page),
                "subjects": [str(s.pseudonym) for s in page],
                "personal_data": self._reveals(),
            },
        )
        return self.get_paginated_response(self._out(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        subject = self.get_object()
        self._audit_read([subject], "subject.viewed")
        return Response(self._out(subject).data)

    @extend_schema(request=SubjectInput, responses={201: SubjectOutput})
    @idempotent
    def create(self, request):
        data = SubjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        subject = subject_create(
            organization=self.organization, actor=self.actor, **data.validated_data
        )
        return Response(self._out(subject).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubjectInput, responses=SubjectOutput)
    def partial_update(self, request, pseudonym=None):
        data = SubjectInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        subject = subject_update(subject=self.get_object(), actor=self.actor, **data.validated_data)
        return Response(self._out(subject).data)

    @extend_schema(request=SubjectChoiceInput, responses=SubjectOutput)
    @action(detail=True, methods=["post"])
    def choice(self, request, pseudonym=None):
        """Record face recognition or the non-biometric alternative (R3, R14)."""
        data = SubjectChoiceInput(data=request.data)
        data.is_valid(raise_exception=True)
        subject = subject_record_choice(
            subject=self.get_object(), actor=self.actor, choice=data.validated_data["choice"]
        )
        return Response(self._out(subject).data)

    @extend_schema(request=None, responses=SubjectOutput)
    @action(detail=True, methods=["post"])
    def erase(self, request, pseudonym=None):
        """Erase identity, keep the pseudonym and the consent history (R16)."""
        subject = subject_erase(subject=self.get_object(), actor=self.actor)
        return Response(self._out(subject).data)
