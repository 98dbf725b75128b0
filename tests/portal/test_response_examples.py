"""Every operation's JSON success answer has an example, and each example fits its schema."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from portal.api.response_examples import example_for

REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(schema, components, depth=0):
    """The OpenAPI 3.0 schema as JSON Schema: refs inlined, ``nullable`` as a null type."""
    if isinstance(schema, list):
        return [_json_schema(s, components, depth) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        if depth > 12:
            return {}
        return _json_schema(components[schema["$ref"].removeprefix(REF)], components, depth + 1)
    out = {k: _json_schema(v, components, depth) for k, v in schema.items()}
    if out.pop("nullable", False):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def _answers(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            for status, answer in operation.get("responses", {}).items():
                media = answer.get("content", {}).get("application/json")
                if str(status).startswith("2") and media and "schema" in media:
                    yield f"{method.upper()} {path} {status}", media


def test_every_json_success_answer_has_an_example_that_fits_its_schema(openapi):
    components = openapi["components"]["schemas"]
    answers = list(_answers(openapi))
    assert len(answers) > 100
    for where, media in answers:
        examples = media.get("examples") or {"one": {"value": media.get("example")}}
        assert examples, where
        schema = _json_schema(media["schema"], components)
        for example in examples.values():
            assert example["value"] is not None, where
            jsonschema.validate(example["value"], schema)


def test_a_derived_example_follows_the_schema_it_is_built_from():
    components = {
        "Consent": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid", "readOnly": True},
                "state": {"enum": ["active", "withdrawn"], "type": "string"},
                "given_at": {"type": "string", "format": "date-time"},
                "subject_email": {"type": "string", "maxLength": 5},
                "history": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                "secret": {"type": "string", "writeOnly": True},
            },
        },
        "Event": {
            "type": "object",
            "properties": {"at": {"type": "string"}, "n": {"type": "integer"}},
        },
    }
    value = example_for({"$ref": "#/components/schemas/Consent"}, components)
    assert value["state"] == "active" and value["given_at"].startswith("2026-03-02T09:30")
    assert len(value["id"]) == 36 and len(value["subject_email"]) == 5
    assert value["history"] == [{"at": value["history"][0]["at"], "n": 1}]
    assert "secret" not in value
