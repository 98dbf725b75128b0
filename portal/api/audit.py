"""REST API for the audit trail: list and filter events, verify the hash chain, fetch signed
checkpoints and verifiable exports (issue 16). Every read of the log is itself recorded, as one
event per request (R31)."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.models import AuditEvent
from audit.selectors import EXPORT_COLUMNS, audit_chain_state, audit_events_for_org
from audit.services import (
    audit_checkpoint,
    audit_record,
    audit_seal_pending,
    audit_verifier_key,
    audit_verify,
)
from audit.services.exports import audit_export_bundle
from portal.api.audit_targets import audit_target_public, audit_target_q, audit_targets_public
from portal.api.filters import UtcIsoDateTimeFilter
from tenants import roles
from tenants.json_schema import JsonMapField
from tenants.scoping import OrgScopedMixin, request_organization


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(help_text="exact action, e.g. consent.withdrawn")
    action_prefix = django_filters.CharFilter(
        field_name="action", lookup_expr="startswith", help_text="e.g. consent."
    )
    since = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    target = django_filters.CharFilter(
        method="filter_target",
        max_length=64,
        help_text=(
            "The target as the API names it (the `id` of the event's `target`): a consent's "
            "id, a subject's pseudonym, a job's id, a deployment's number. Combine with "
            "target_type where a number could name objects of several kinds."
        ),
    )

    class Meta:
        model = AuditEvent
        fields = ["actor_type", "actor_id", "target_type", "target_id", "subject_pseudonym"]

    def filter_target(self, queryset, name, value):
        organization = request_organization(self.request)
        return queryset.filter(audit_target_q(value, organization=organization))


class AuditTargetOutput(serializers.Serializer):
    type = serializers.CharField(help_text="e.g. consent, subject, deployment, recognition_job")
    id = serializers.CharField(
        allow_null=True,
        help_text="The id the API uses for it (null when the object no longer exists).",
    )


class AuditEventOutput(serializers.ModelSerializer):
    seq = serializers.IntegerField(source="seal.seq", allow_null=True, default=None)
    hash = serializers.CharField(source="seal.hash", allow_null=True, default=None)
    target = serializers.SerializerMethodField(
        help_text=(
            "The target as the rest of the API names it; target_type and target_id are the "
            "values sealed in the chain, unchanged."
        )
    )

    details = JsonMapField(help_text="What the event records; its keys vary by action.")

    class Meta:
        model = AuditEvent
        fields = [*EXPORT_COLUMNS, "target"]

    @extend_schema_field(AuditTargetOutput(allow_null=True))
    def get_target(self, obj):
        return audit_target_public(obj, self.context.get("targets", {}))


class ChainStateOutput(serializers.Serializer):
    last_seq = serializers.IntegerField()
    anchor_seq = serializers.IntegerField()
    verified_at = serializers.DateTimeField(allow_null=True)
    verified_ok = serializers.BooleanField(allow_null=True)
    verified_message = serializers.CharField()


class VerifyOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField()
    pending = serializers.IntegerField()
    last_seq = serializers.IntegerField()
    first_broken_seq = serializers.IntegerField(allow_null=True)
    first_broken_event_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    message = serializers.CharField()


class ExportEventOutput(serializers.Serializer):
    index = serializers.IntegerField(help_text="0-based leaf index in the Merkle tree")
    event_id = serializers.IntegerField()
    entry = serializers.CharField(help_text="the canonical JSON entry that was hashed")


class VerifiableExportOutput(serializers.Serializer):
    format = serializers.CharField()
    origin = serializers.CharField(help_text="the log's name in its signed notes")
    verifier_key = serializers.CharField()
    checkpoint = serializers.CharField(help_text="the signed checkpoint note, or empty")
    tree_size = serializers.IntegerField()
    events = ExportEventOutput(many=True)
    inclusion = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="with ?event: each leaf index's inclusion proof, hex hashes",
    )
    consistency = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="each earlier size's consistency proof to tree_size, hex hashes",
    )


class CheckpointOutput(serializers.Serializer):
    tree_size = serializers.IntegerField()
    root_hash = serializers.CharField(help_text="hex SHA-256 Merkle tree head")
    note = serializers.CharField(help_text="the checkpoint as a C2SP signed note")
    verifier_key = serializers.CharField(help_text="the signed-note verifier key")


class AuditEventViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The organization's audit events, newest first."""

    queryset = AuditEvent.objects.none()
    serializer_class = AuditEventOutput
    filterset_class = AuditEventFilter
    ordering_fields = ["id", "created_at"]
    required_perms = {
        "list": roles.VIEW_AUDIT,
        "retrieve": roles.VIEW_AUDIT,
        "chain": roles.VIEW_AUDIT,
        "verify": roles.VERIFY_AUDIT,
        "checkpoint": roles.VIEW_AUDIT,
        "verifiable_export": roles.VIEW_AUDIT,
    }

    def scoped_queryset(self):
        return audit_events_for_org(organization=self.organization)

    def get_serializer(self, *args, **kwargs):
        # One look-up per kind of target on the page, not one per event.
        if args:
            events = args[0] if kwargs.get("many") else [args[0]]
            kwargs["context"] = {
                **self.get_serializer_context(),
                "targets": audit_targets_public(events, organization=self.organization),
            }
        return super().get_serializer(*args, **kwargs)

    def _record_read(self, request, **details):
        # R31: one event per query of the log, however many rows it returns.
        audit_record(
            organization_id=self.organization.pk,
            actor=self.actor,
            action="audit.viewed",
            details={"query": dict(request.query_params.items()), **details},
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self._record_read(request, via="api")
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        self._record_read(request, via="api", event_id=kwargs.get("pk"))
        return response

    @extend_schema(responses={200: CheckpointOutput, 204: None})
    @action(detail=False, methods=["get"])
    def checkpoint(self, request):
        """The latest signed checkpoint of the organization's log (signed now if it grew)."""
        audit_seal_pending(organization_id=self.organization.pk)
        checkpoint = audit_checkpoint(organization_id=self.organization.pk)
        if checkpoint is None:
            return Response(status=204)
        data = {
            "tree_size": checkpoint.tree_size,
            "root_hash": checkpoint.root_hash,
            "note": checkpoint.note,
            "verifier_key": audit_verifier_key(),
        }
        return Response(CheckpointOutput(data).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("event", int, many=True, description="export only these events"),
            OpenApiParameter(
                "consistency_from", int, many=True, description="earlier checkpoint sizes"
            ),
        ],
        responses=VerifiableExportOutput,
    )
    @action(detail=False, methods=["get"], url_path="verifiable-export")
    def verifiable_export(self, request):
        """Entries, checkpoint and proofs for ``python -m audit.offline`` (docs/audit.md).

        ``?event=<id>`` (repeatable) exports only those events, each with an inclusion proof;
        ``?consistency_from=<size>`` adds a consistency proof from an earlier checkpoint.
        """
        event_ids = [int(v) for v in request.query_params.getlist("event") if v.isdigit()]
        sizes = [int(v) for v in request.query_params.getlist("consistency_from") if v.isdigit()]
        bundle = audit_export_bundle(
            organization_id=self.organization.pk,
            event_ids=event_ids or None,
            consistency_from=sizes,
            actor=self.actor,
            purpose="api verifiable export",
        )
        return Response(bundle)

    @extend_schema(responses=ChainStateOutput)
    @action(detail=False, methods=["get"])
    def chain(self, request):
        """The chain's tip and the outcome of its last verification."""
        return Response(
            ChainStateOutput(audit_chain_state(organization_id=self.organization.pk)).data
        )

    @extend_schema(request=None, responses=VerifyOutput)
    @action(detail=False, methods=["post"])
    def verify(self, request):
        """Seal pending events, recompute the whole chain, and name its first broken link."""
        audit_seal_pending(organization_id=self.organization.pk)
        report = audit_verify(organization_id=self.organization.pk)
        return Response(VerifyOutput(report).data)
