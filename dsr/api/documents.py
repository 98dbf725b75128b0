"""The shapes of the JSON a data-subject request carries: a correction's changes and record,
an erasure's verification report, and the access package (issue 18: every object typed).

They document and serialize what the services store; the services stay the one place that
decides what goes in.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consent.services.subjects import SUBJECT_FIELDS
from dsr.services.portability import portability_schema
from tenants.json_schema import JSON_VALUE, JsonMapField, JsonValueField

# What a correction may change: consent's subject fields, nothing else (the service refuses
# any other name with invalid_fields).
CHANGES_SCHEMA = {
    "type": "object",
    "description": "Correction: the subject's fields to change, with their new values.",
    "properties": {
        name: {"type": "string", "format": "date", "nullable": True}
        if name == "date_of_birth"
        else {"type": "string", "nullable": True}
        for name in SUBJECT_FIELDS
    },
    "additionalProperties": False,
}


@extend_schema_field(CHANGES_SCHEMA)
class CorrectionChangesField(serializers.DictField):
    """Read as a map so that an unknown name is refused by the service (invalid_fields), not
    dropped in silence as a nested serializer would."""


class WorkErrorRecord(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class CorrectionRecordOutput(serializers.Serializer):
    """What a correction did; empty for every other kind of request."""

    fields = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The fields that changed."
    )
    at = serializers.DateTimeField(required=False)
    reenrollment = serializers.UUIDField(
        required=False, help_text="The enrollment a new photo queued."
    )
    reenrollment_status = serializers.CharField(required=False)
    reenrollment_error = WorkErrorRecord(required=False, help_text="Why the new photo failed.")
    templates_replaced = serializers.ListField(child=serializers.CharField(), required=False)


class ErasureCheckOutput(serializers.Serializer):
    check = serializers.CharField(help_text="What was searched for.")
    table = serializers.CharField(help_text="Where it was searched.")
    count = serializers.IntegerField(help_text="What was still found (0 when erased).")
    ok = serializers.BooleanField()


class VerificationReportOutput(serializers.Serializer):
    """After an erasure: every place searched for the subject, and what was left."""

    subject_pseudonym = serializers.CharField()
    checked_at = serializers.DateTimeField()
    passed = serializers.BooleanField()
    identifiers_searched = serializers.IntegerField()
    files_checked = serializers.IntegerField()
    checks = ErasureCheckOutput(many=True)
    left_behind = serializers.ListField(child=serializers.CharField())
    erased = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="What was erased, counted."
    )


class PackageControllerOutput(serializers.Serializer):
    name = serializers.CharField()
    contact = serializers.CharField()
    jurisdiction = serializers.CharField()


class PackageProfileOutput(serializers.Serializer):
    pseudonym = serializers.UUIDField()
    external_ref = serializers.CharField()
    display_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    age_bracket = serializers.CharField()
    choice = serializers.CharField()
    objects_to_automated_decisions = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    erased_at = serializers.DateTimeField(allow_null=True)


class PackageAuditOutput(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=JsonValueField()),
        help_text="One row per audit event about the subject, in the order of columns.",
    )


class AccessPackageOutput(serializers.Serializer):
    """The access package (PIPL Art. 45, GDPR Art. 15 and 20; R45)."""

    format = serializers.CharField()
    generated_at = serializers.DateTimeField()
    controller = PackageControllerOutput()
    profile = PackageProfileOutput()
    consents = serializers.ListField(
        child=JsonMapField(), help_text="Each consent with its items, history and receipts."
    )
    biometrics = JsonMapField(
        help_text="Enrollments and recognition results (never templates): where, for what, by whom."
    )
    requests = serializers.ListField(child=JsonMapField(), help_text="The subject's requests.")
    audit_events = PackageAuditOutput()
    audit_proofs = JsonMapField(
        help_text="The consent events with inclusion proofs in the signed audit log (R16)."
    )


def _portability_document() -> dict:
    """The portability file's top level, from its JSON Schema (the full one ships with the app)."""
    shipped = portability_schema()
    return {
        "type": "object",
        "description": (
            "A portability-1 document; dsr/schemas/portability-1.schema.json is its full JSON "
            "Schema, which an import checks it against."
        ),
        "properties": {name: JSON_VALUE for name in shipped["properties"]},
        "required": list(shipped.get("required", [])),
    }


PORTABILITY_DOCUMENT = _portability_document()


class TerminationReportOutput(serializers.Serializer):
    """What a termination run erased and what it checked (R51): the report to keep."""

    organization = serializers.CharField()
    mode = serializers.CharField()
    contract_reference = serializers.CharField()
    checked_at = serializers.DateTimeField()
    passed = serializers.BooleanField()
    tables = serializers.ListField(
        child=JsonMapField(),
        help_text="Each table's rows before and after, and whether it is clear.",
    )
    subjects = JsonMapField()
    jobs = JsonMapField()
    complaints_blanked = JsonValueField()
    audit_chain = JsonMapField()
    package = JsonValueField()
    left_behind = serializers.ListField(child=serializers.CharField())
