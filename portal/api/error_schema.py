"""The error answers of every operation, typed: one component per status and details shape.

Built once, in a postprocessing hook, from portal.api.error_codes rather than by decorating each
view: ``Error`` is a oneOf of variants, each a set of codes of one status with one shape of
``details``, discriminated by ``code``; each operation lists the statuses that apply to it (404
where the path names an object or a page may not exist, 401/403 where it needs credentials,
409/422 where it changes something, 429 everywhere) with an example of each.
"""

from portal.api.error_codes import (
    BUDGET,
    BUSY,
    ERROR_CODES,
    FACTS,
    IDEMPOTENCY,
    IMAGE,
    RATE_LIMIT,
    REFERENCE,
    RULES,
    URL,
    VALIDATION,
)

REF = "#/components/schemas/"
STRING = {"type": "string"}
FACT = {
    "anyOf": [
        STRING,
        {"type": "number"},
        {"type": "boolean"},
        {"type": "array", "items": {"anyOf": [STRING, {"type": "number"}]}},
    ],
    "description": "a name, figure or list that explains the refusal",
}
FIELD_MESSAGES = {"type": "array", "items": STRING}
MESSAGES = {"$ref": "#/components/schemas/FieldMessages"}


def _field_errors(inner: dict) -> dict:
    """A field's errors: its messages, or a nested object's (or list item's) map of ``inner``."""
    nested = {"type": "object", "additionalProperties": inner}
    return {"anyOf": [MESSAGES, nested, {"type": "array", "items": nested}]}


API_FIX = {
    "type": "object",
    "description": (
        "The API operation that meets an unmet rule: call ``method`` on ``path`` and set "
        "``field`` in the body."
    ),
    "properties": {
        "operation": {"type": "string", "description": "operationId in this schema"},
        "method": {"type": "string", "enum": ["POST", "PUT", "PATCH", "DELETE"]},
        "path": {"type": "string", "description": "with its ids filled in"},
        "field": {"type": "string", "nullable": True, "description": "the body field to set"},
    },
    "required": ["operation", "method", "path", "field"],
}
DETAILS = {
    VALIDATION: {
        "description": (
            "Each field at fault with its messages; a nested object maps its own fields, a "
            "list is mapped by item index, to three levels; a refusal of the whole body is a "
            "list of messages."
        ),
        "anyOf": [
            {"type": "object", "additionalProperties": _field_errors(_field_errors(MESSAGES))},
            {"$ref": REF + "FieldMessages"},
        ],
    },
    RULES: {
        "type": "array",
        "description": "Each unmet rule with how to meet it.",
        "items": {
            "type": "object",
            "properties": {
                "rule": {"type": "string", "example": "R27"},
                "message": STRING,
                "field": {"type": "string", "description": "the field at fault, when one is"},
                "fix_url": {"type": "string", "description": "the staff panel page, or empty"},
                "fix": {"allOf": [{"$ref": REF + "ApiFix"}], "nullable": True},
            },
            "required": ["rule", "message"],
            "additionalProperties": {"$ref": REF + "ErrorFact"},
        },
    },
    REFERENCE: {
        "type": "object",
        "properties": {"field": STRING, "values": {"type": "array", "items": STRING}},
        "required": ["field", "values"],
    },
    RATE_LIMIT: {
        "type": "object",
        "properties": {
            "scope": {"type": "string", "nullable": True},
            "route_class": {"type": "string", "nullable": True},
            "limit": {"type": "integer", "nullable": True},
            "window": {"type": "integer", "nullable": True},
            "retry_after": {"type": "number", "nullable": True},
        },
        "additionalProperties": {"$ref": REF + "ErrorFact"},
    },
    BUSY: {
        "type": "object",
        "properties": {"limit": {"type": "integer"}, "active": {"type": "integer"}},
        "required": ["limit", "active"],
    },
    IMAGE: {
        "type": "object",
        "properties": {"image_index": {"type": "integer", "description": "0-based"}},
    },
    BUDGET: {
        "type": "object",
        "properties": {
            "budget": {"type": "string", "enum": ["bytes", "pixels"]},
            "limit": {"type": "integer"},
            "requested": {"type": "integer"},
        },
        "required": ["budget", "limit", "requested"],
    },
    URL: {
        "type": "object",
        "properties": {"field": STRING, "reason": STRING},
        "required": ["field", "reason"],
    },
    IDEMPOTENCY: {
        "type": "object",
        "properties": {"header": STRING, "first_path": STRING},
        "required": ["header"],
    },
    FACTS: {
        "type": "object",
        "description": "Facts about the refusal, by name.",
        "additionalProperties": {"$ref": REF + "ErrorFact"},
    },
}
DESCRIPTIONS = {
    400: "The request is not valid: a field, a reference or a rule (see code and details).",
    401: "No valid credentials.",
    403: "The credentials do not allow this.",
    404: (
        "Not found in this organization (another organization's object is a 404 too), or the "
        "organization named in X-Organization is not the caller's."
    ),
    409: "The object's state does not allow this now.",
    410: "The link or download has expired.",
    413: (
        "The upload is too large: one file, or all the images of the request together, in bytes "
        "or decoded pixels (details name the budget, its limit and the figure sent)."
    ),
    415: "The content type is not accepted.",
    422: (
        "A regulatory rule refuses it: details list each unmet rule, the API operation and "
        "field that fix it (fix) and the panel page (fix_url)."
    ),
    429: (
        "Too many requests: a rate limit of the caller or the organization for this route class "
        "(code rate_limited), or too many of the organization's jobs or enrollments queued or "
        "running. Retry-After says when to try again."
    ),
}
EXAMPLES = {
    400: (
        "invalid",
        "Invalid input: name: This field is required.",
        {"name": ["This field is required."]},
    ),
    401: ("not_authenticated", "Authentication credentials were not provided.", None),
    403: ("permission_denied", "You do not have permission to perform this action.", None),
    404: ("not_found", "Not found.", None),
    409: ("subject_erased", "This subject has been erased.", None),
    410: ("link_expired", "The download has expired.", None),
    413: (
        "byte_budget_exceeded",
        "The images of this request are 41.0 MB together; the limit per request is 40 MB.",
        {"budget": "bytes", "limit": 41943040, "requested": 42991616},
    ),
    415: ("unsupported_media_type", 'Unsupported media type "text/plain" in request.', None),
    422: (
        "rules_unmet",
        "The deployment cannot be activated: rules are unmet.",
        [
            {
                "rule": "R27",
                "message": "Write an impact assessment and have a DPO sign it off.",
                "fix_url": "/o/acme/governance/assessments/new/?deployment=7",
                "fix": {
                    "operation": "assessments_create",
                    "method": "POST",
                    "path": "/api/v1/assessments/",
                    "field": "deployment",
                },
            }
        ],
    ),
    429: (
        "rate_limited",
        "Request was throttled. Expected available in 12 seconds.",
        {"scope": "key", "route_class": "write", "limit": 60, "window": 60, "retry_after": 12},
    ),
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
UNSAFE = {"post", "put", "patch", "delete"}


def _variant_name(status: int, shape: str, alone: bool) -> str:
    return f"Error{status}" if alone else f"Error{status}" + shape.removesuffix("Details")


def error_components() -> dict[str, dict]:
    """Return the components: details shapes, one variant per (status, shape), Error{status}
    and Error (every variant), and the enum of every code."""
    components = {
        "ErrorFact": FACT,
        "ApiFix": API_FIX,
        "FieldMessages": FIELD_MESSAGES,
        **DETAILS,
    }
    variants: dict[int, dict[str, list[str]]] = {}
    for code, entry in sorted(ERROR_CODES.items()):
        variants.setdefault(entry.status, {}).setdefault(entry.details, []).append(code)
    every: dict[str, str] = {}
    for status, shapes in sorted(variants.items()):
        mapping = {}
        for shape, codes in sorted(shapes.items()):
            name = _variant_name(status, shape, alone=len(shapes) == 1)
            components[name] = {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "enum": codes},
                    "message": {"type": "string", "description": "a sentence for people"},
                    "details": {"allOf": [{"$ref": REF + shape}], "nullable": True},
                },
                "required": ["code", "message", "details"],
            }
            mapping |= {code: REF + name for code in codes}
        every |= mapping
        if len(shapes) > 1:
            components[f"Error{status}"] = _one_of(mapping)
    components["Error"] = _one_of(every)
    components["ErrorCodeEnum"] = {
        "type": "string",
        "enum": sorted(ERROR_CODES),
        "description": "Every stable error code (docs/api-errors.md has its status and meaning).",
    }
    return components


def _one_of(mapping: dict[str, str]) -> dict:
    refs = sorted(set(mapping.values()))
    return {
        "oneOf": [{"$ref": ref} for ref in refs],
        "discriminator": {"propertyName": "code", "mapping": mapping},
    }


def operation_statuses(path: str, method: str, operation: dict) -> list[int]:
    """Return the error statuses an operation can answer."""
    statuses = [400]
    security = operation.get("security") or []
    secured = bool(security) and {} not in security
    if secured:
        statuses += [401, 403]
    # 404: another organization's object, a page past the last, a one-of resource not set up
    # yet, or an X-Organization header naming an organization the caller is not in; the last
    # can answer any operation that needs credentials.
    if "{" in path or secured:
        statuses.append(404)
    if method in UNSAFE or "package" in path:
        statuses.append(409)
    if "package" in path:
        statuses.append(410)
    if method in UNSAFE:
        statuses.append(422)
    if "requestBody" in operation:
        statuses += [413, 415]
    statuses.append(429)
    return sorted(statuses)


def error_response(status: int) -> dict:
    code, message, details = EXAMPLES[status]
    response = {
        "description": DESCRIPTIONS[status],
        "content": {
            "application/json": {
                "schema": {"$ref": f"{REF}Error{status}"},
                "examples": {
                    code: {"value": {"code": code, "message": message, "details": details}}
                },
            }
        },
    }
    if status == 429:
        response["headers"] = RETRY_AFTER
    return response


def document_error_answers(result: dict) -> None:
    """Add the error components and, to each operation, the error answers that apply."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.update(error_components())
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            declared = {int(s) for s in responses if s.isdigit() and int(s) in DESCRIPTIONS}
            for status in sorted(declared | set(operation_statuses(path, method, operation))):
                # Every error answer has the one error body, whatever a view declared for it;
                # a view's own description of when it happens is kept.
                answer = error_response(status)
                answer["description"] = (
                    responses.get(str(status), {}).get("description") or (answer["description"])
                )
                responses[str(status)] = answer
