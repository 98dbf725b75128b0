"""OpenAPI schemas for JSON documents whose inner keys vary (issue 18: no untyped object).

A signed receipt, an audit event's details or an access package's consent rows are documents
with many keys that change by kind; their top-level fields are typed where they are served, and
below that these say what a value can be: text, a number, a flag, or a list or map of those,
nested at most as deep as the documents go. No recursive schema: generated clients
(openapi-python-client) cannot follow one inside an array.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

SCALARS = [{"type": "string", "nullable": True}, {"type": "number"}, {"type": "boolean"}]
SCALAR = {"anyOf": SCALARS}


def _level(inner: dict) -> dict:
    return {
        "anyOf": [
            *SCALARS,
            {"type": "array", "items": inner},
            {"type": "object", "additionalProperties": inner},
        ]
    }


# Four levels of lists and maps below a typed field: the deepest document (a receipt's ISO
# 27560 record: processing > privacyNotice > url) needs three.
JSON_VALUE = _level(_level(_level(_level(SCALAR))))
JSON_MAP = {"type": "object", "additionalProperties": JSON_VALUE}


@extend_schema_field(JSON_MAP)
class JsonMapField(serializers.JSONField):
    """A JSON object whose keys vary by kind; documented as a map of JSON values."""


@extend_schema_field(JSON_VALUE)
class JsonValueField(serializers.JSONField):
    """One JSON value: text, a number, a flag, or lists and maps of those."""
