"""How the API describes itself: list pagination where it happens, the body each operation is
meant to take, and every error it answers.

Fuzzing the schema (issue 15, Schemathesis) found two gaps between what the API says and what it
does: detail actions that answer a plain array (a consent's receipts, a deployment's checks) were
documented as paginated pages, and no operation listed its error answers, although every view
answers 400 for a bad body, 401/403 for credentials, 404 for another organization's object, and
409/422 for domain rules, all in the one error shape of portal.api.errors. And every body was
offered in three encodings, although a form cannot carry a JSON null, a number or a list of
objects: an operation with files is documented as multipart/form-data only (nullable dropped:
a form leaves a field out instead), any other as application/json only. The parsers still
accept the other encodings, as the tests and older clients use them.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from portal.api.error_schema import document_error_answers
from portal.api.examples import add_request_examples
from portal.api.response_examples import add_response_examples
from tenants import idempotency

IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=idempotency.DESCRIPTION,
)


class PortalAutoSchema(AutoSchema):
    """Paginate and filter only ``list`` actions: the views do nothing else. Say an IP address
    field takes an IPv4 or IPv6 address (drf-spectacular leaves it a bare string)."""

    def _get_paginator(self):
        if getattr(self.view, "action", "list") not in (None, "list"):
            return None
        return super()._get_paginator()

    def get_override_parameters(self):
        # Every creating action marked @idempotent takes the Idempotency-Key header (issue 18).
        params = super().get_override_parameters()
        action = getattr(self.view, "action", None) or self.method.lower()
        handler = getattr(self.view, action, None)
        if getattr(handler, "idempotent", False):
            params = [*params, IDEMPOTENCY_KEY]
        return params

    def get_filter_backends(self):
        # Only list actions filter; a detail action answering an array (receipts) does not.
        if getattr(self.view, "action", "list") not in (None, "list"):
            return []
        return super().get_filter_backends()

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = self._map_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(schema, dict):
            # DRF trims text before checking it is not blank, and refuses an empty upload.
            if (
                isinstance(field, serializers.CharField)
                and not field.allow_blank
                and field.trim_whitespace
                and schema.get("type") == "string"
                and "pattern" not in schema
            ):
                schema["pattern"] = r"\S"
            if isinstance(field, serializers.FileField) and not field.allow_empty_file:
                schema["minLength"] = 1
        return schema

    def _map_field(self, field, direction, bypass_extensions):
        if isinstance(field, serializers.IPAddressField) and field.protocol == "both":
            schema = {
                "anyOf": [
                    {"type": "string", "format": "ipv4"},
                    {"type": "string", "format": "ipv6"},
                ]
            }
            if field.allow_null:
                schema["nullable"] = True
            return schema
        return super()._map_serializer_field(field, direction, bypass_extensions)


def document_errors(result, generator, request, public):
    """Postprocessing hook: one encoding per body, the error answers of every operation
    (portal.api.error_schema: typed by status and code), and examples of requests and answers."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                _one_encoding(operation["requestBody"], components)
    document_error_answers(result)
    add_request_examples(result)
    add_response_examples(result)
    return result


FORM = "multipart/form-data"
JSON = "application/json"


def _one_encoding(body: dict, components: dict) -> None:
    content = body.get("content", {})
    uploads = FORM in content and _has_file(content[FORM], components, set())
    keep = FORM if uploads or JSON not in content else JSON
    for media_type in list(content):
        if media_type != keep:
            del content[media_type]
    if keep == FORM:
        _drop_nullable(content[FORM].get("schema", {}), components, set())
        _json_parts(content[FORM], components)


def _resolve(schema: dict, components: dict) -> tuple[dict, str | None]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        return components.get(name, {}), name
    return schema, None


def _has_file(media: dict, components: dict, seen: set) -> bool:
    schema, name = _resolve(media.get("schema", {}), components)
    if name in seen:
        return False
    seen.add(name)
    for prop in schema.get("properties", {}).values():
        prop, _ = _resolve(prop, components)
        if prop.get("format") == "binary" or prop.get("items", {}).get("format") == "binary":
            return True
    return False


def _drop_nullable(schema: dict, components: dict, seen: set) -> None:
    schema, name = _resolve(schema, components)
    if name in seen:
        return
    seen.add(name)
    for prop in schema.get("properties", {}).values():
        prop.pop("nullable", None)


def _json_parts(media: dict, components: dict) -> None:
    """Say that a form part holding objects (a consent's recipients or guardian) is JSON text:
    a form field carries text only, and the view reads it as JSON."""
    schema, _ = _resolve(media.get("schema", {}), components)
    for name, prop in schema.get("properties", {}).items():
        inner, _ = _resolve(prop.get("allOf", [prop])[0], components)
        items, _ = _resolve(inner.get("items", {}), components)
        if inner.get("type") == "object" or items.get("type") == "object":
            media.setdefault("encoding", {})[name] = {"contentType": "application/json"}
