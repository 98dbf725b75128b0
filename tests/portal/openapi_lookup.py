"""Finding an operation and its body fields in the OpenAPI document, for tests that check a
``fix`` (operation, method, path, field) names a real call of the schema."""

import re


def resolve(openapi: dict, schema: dict) -> dict:
    """Follow ``$ref`` to the component it names."""
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def operation_at(openapi: dict, method: str, path: str) -> dict | None:
    """Return the operation whose path template matches ``path`` (ids filled in)."""
    for template, item in openapi["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path) and method.lower() in item:
            return item[method.lower()]
    return None


def body_fields(openapi: dict, operation: dict) -> set[str]:
    """Return the names of the fields the operation's request body takes."""
    fields = set()
    for media in operation.get("requestBody", {}).get("content", {}).values():
        fields |= set(resolve(openapi, media["schema"]).get("properties", {}))
    return fields
