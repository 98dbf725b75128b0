"""A success example on every operation's JSON answer, built from its typed schema (issue 18).

Request examples are written by hand (portal.api.examples) because a body's values carry
meaning; an answer is the serializer's shape, and every object in it is typed, so its example
is derived from the schema: an ``example`` a field declares, else the first value of an enum,
else a sample for the field's format and name. Being derived, it never drifts from the schema
(tests/portal/test_response_examples.py validates every one against its schema); Redoc, the
generated client's docs and a reader of the raw schema see a whole answer, nested objects
included, rather than a list of types.
"""

from datetime import date, datetime, timedelta, timezone

JSON = "application/json"
REF = "#/components/schemas/"
# Nesting this deep only comes from a recursive type: it ends there, empty.
MAX_DEPTH = 12
_CHINA = timezone(timedelta(hours=8))

# Samples by format, then by the field's name (the last word of it), then by type.
_FORMATS = {
    "uuid": "3f1c2a9e-7b4d-4e52-9a61-0c8f5d2e7b13",
    "date-time": datetime(2026, 3, 2, 9, 30, tzinfo=_CHINA).isoformat(),
    "date": date(2026, 3, 2).isoformat(),
    "email": "li.wei@example.com",
    "uri": "https://portal.example.com/api/v1/",
    "binary": "(file)",
    "byte": "UEsDBA==",
    "ipv4": "203.0.113.7",
    "ipv6": "2001:db8::7",
    "duration": "P30D",
    "decimal": "0.5",
}
_NAMES = {
    "name": "Staff access control",
    "display_name": "Li Wei",
    "email": "li.wei@example.com",
    "phone": "+86 21 5555 0142",
    "message": "The entrance camera at gate 2.",
    "reference": "CAC-SC-2026-0142",
    "language": "en",
    "url": "https://portal.example.com/api/v1/",
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "digest": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "slug": "acme",
    "label": "owner@acme.example",
    "code": "consent_required",
    "country": "CN",
    "province": "Shanghai",
    "address": "1 Century Avenue, Pudong, Shanghai",
    # Subjects are named by pseudonym in answers.
    "pseudonym": "3f1c2a9e-7b4d-4e52-9a61-0c8f5d2e7b13",
    "identity": "3f1c2a9e-7b4d-4e52-9a61-0c8f5d2e7b13",
}


def add_response_examples(result: dict) -> None:
    """Put a derived example on each 2xx JSON answer that has a schema and no example yet."""
    components = result.get("components", {}).get("schemas", {})
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for status, answer in operation.get("responses", {}).items():
                if not str(status).startswith("2"):
                    continue
                media = answer.get("content", {}).get(JSON)
                if not media or "schema" not in media or "example" in media or "examples" in media:
                    continue
                media["examples"] = {"success": {"value": example_for(media["schema"], components)}}


def example_for(schema: dict, components: dict, name: str = "", depth: int = 0):
    """Return a value of ``schema`` (refs resolved in ``components``)."""
    if "$ref" in schema:
        return example_for(
            components.get(schema["$ref"].removeprefix(REF), {}), components, name, depth
        )
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return next((value for value in schema["enum"] if value is not None), None)
    for combined in ("allOf", "oneOf", "anyOf"):
        if schema.get(combined):
            return _combined(combined, schema[combined], components, name, depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _object(schema, components, depth)
    if kind == "array":
        if depth >= MAX_DEPTH:
            return []
        return [example_for(schema.get("items", {}), components, _singular(name), depth + 1)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 0.5 if schema.get("maximum", 1) >= 0.5 else schema.get("minimum", 0)
    if kind == "boolean":
        return True
    if kind == "string":
        return _string(schema, name)
    return None


def _combined(combined: str, parts: list, components: dict, name: str, depth: int):
    if combined == "allOf":
        merged: dict = {}
        for part in parts:
            value = example_for(part, components, name, depth)
            if not isinstance(value, dict):
                return value
            merged.update(value)
        return merged
    return example_for(parts[0], components, name, depth)


def _object(schema: dict, components: dict, depth: int) -> dict:
    if depth >= MAX_DEPTH:
        return {}
    properties = schema.get("properties", {})
    if not properties and isinstance(schema.get("additionalProperties"), dict):
        return {"key": example_for(schema["additionalProperties"], components, "", depth + 1)}
    return {
        field: example_for(sub, components, field, depth + 1)
        for field, sub in properties.items()
        if not sub.get("writeOnly")
    }


def _string(schema: dict, name: str) -> str:
    value = _FORMATS.get(schema.get("format", ""))
    if value is None:
        last = name.rsplit("_", 1)[-1]
        value = _NAMES.get(name, _NAMES.get(last, "string"))
    if value == "string" and name.endswith("_at"):
        value = _FORMATS["date-time"]
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if high is not None and len(value) > high:
        value = value[:high]
    if len(value) < low:
        value = value + "x" * (low - len(value))
    return value


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name
