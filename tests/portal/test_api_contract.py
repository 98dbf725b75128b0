"""The API's contract as a client reads it (issue 18): typed errors, typed objects, one status per
error code, and a table of codes in the docs that cannot drift from the code."""

import json
from pathlib import Path

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from governance.gates import ProcessingSuspended, deployment_processing_check
from portal.api.error_codes import ERROR_CODES, error_table_markdown
from recognition.services.enrollment import enrollment_check
from tenants.errors import Conflict
from tests.factories import (
    AssessmentFactory,
    DeploymentFactory,
    PurposeFactory,
    SubjectFactory,
)
from tests.portal.error_code_scan import raised_codes
from tests.portal.openapi_lookup import body_fields as _body_fields
from tests.portal.openapi_lookup import operation_at as _operation_at
from tests.portal.openapi_lookup import resolve as _resolve

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def openapi() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _codes_of(openapi, schema: dict) -> set[str]:
    """Return the codes an error schema allows (its variants' code enums)."""
    schema = _resolve(openapi, schema)
    if "oneOf" in schema:
        return set().union(*(_codes_of(openapi, variant) for variant in schema["oneOf"]))
    return set(schema["properties"]["code"]["enum"])


def test_every_operation_documents_its_4xx_answers_in_the_error_schema(openapi):
    for path, method, operation in _operations(openapi):
        errors = {s: r for s, r in operation["responses"].items() if s.startswith("4")}
        assert "400" in errors and "429" in errors, (method, path)
        secured = {} not in operation.get("security", [{}])
        assert ("404" in errors) == ("{" in path or secured), (method, path)
        for status, response in errors.items():
            media = response["content"]["application/json"]
            codes = _codes_of(openapi, media["schema"])
            # Each code the answer may carry is documented with exactly this status.
            assert codes and {ERROR_CODES[c].status for c in codes} == {int(status)}
            example = next(iter(media["examples"].values()))["value"]
            assert example["code"] in codes and set(example) == {"code", "message", "details"}
        assert "Retry-After" in errors["429"]["headers"]


def test_every_operation_has_an_example(openapi):
    for path, method, operation in _operations(openapi):
        examples = [
            media
            for response in operation["responses"].values()
            for media in response.get("content", {}).values()
            if "examples" in media or "example" in media
        ]
        assert examples, (method, path)


def _untyped(node, where="#"):
    """Yield where an object has neither properties nor a typed additionalProperties."""
    if isinstance(node, dict):
        if node.get("type") == "object" and not node.get("properties"):
            extra = node.get("additionalProperties")
            if not (isinstance(extra, dict) and extra):
                yield where
        if node.get("additionalProperties") == {}:
            yield where + "/additionalProperties"
        for key, value in node.items():
            if key not in ("example", "examples"):
                yield from _untyped(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _untyped(value, f"{where}/{index}")


def test_no_untyped_object_remains_in_the_schema(openapi):
    untyped = list(_untyped(openapi["components"])) + list(_untyped(openapi["paths"]))
    assert untyped == []


def test_request_choices_are_enums(openapi):
    schemas = openapi["components"]["schemas"]
    for name, field in (("PurposeCreateInputRequest", "kind"), ("JobInputRequest", "mode")):
        prop = schemas[name]["properties"][field]
        assert "enum" in _resolve(openapi, prop.get("allOf", [prop])[0]), (name, field)


def test_every_raised_error_code_is_in_the_table_with_its_one_status():
    wrong = {}
    for code, seen in raised_codes().items():
        statuses = {status for status, _where in seen}
        if code not in ERROR_CODES or statuses != {ERROR_CODES[code].status}:
            wrong[code] = sorted(seen)
    assert wrong == {}


def test_the_error_schema_enumerates_every_code(openapi):
    schemas = openapi["components"]["schemas"]
    assert set(schemas["ErrorCodeEnum"]["enum"]) == set(ERROR_CODES)
    assert _codes_of(openapi, {"$ref": "#/components/schemas/Error"}) == set(ERROR_CODES)


def test_the_docs_table_is_generated_from_the_codes():
    # Regenerate with: python -m portal.api.error_codes > docs/api-errors.md
    assert (ROOT / "docs" / "api-errors.md").read_text() == error_table_markdown()
    assert "docs/api-errors.md" in (ROOT / "README.md").read_text()


def test_an_activation_refusal_names_the_api_operation_and_field_that_fix_it(
    world, api_as, openapi
):
    deployment = DeploymentFactory(organization=world.org, place_type="public_place")
    response = api_as(world.dpo).post(f"/api/v1/deployments/{deployment.pk}/activate/")
    assert response.status_code == 422
    details = response.json()["details"]
    assert {"R2", "R6", "R27"} <= {d["rule"] for d in details}
    for detail in details:
        fix = detail["fix"]
        operation = _operation_at(openapi, fix["method"], fix["path"])
        assert operation is not None and operation["operationId"] == fix["operation"], fix
        if fix["field"]:
            assert fix["field"] in _body_fields(openapi, operation), fix


def test_a_suspended_deployment_refuses_processing_with_the_api_fix(world):
    deployment = DeploymentFactory(organization=world.org)
    with pytest.raises(ProcessingSuspended) as refused:
        deployment_processing_check(deployment=deployment)
    fixes = {d["rule"]: d["fix"] for d in refused.value.details}
    assert fixes["R2"]["operation"] == "deployments_purposes_create"
    assert fixes["R2"]["field"] == "purpose"
    assert fixes["R27"]["operation"] == "assessments_create"


def test_deployment_checks_are_documented_as_the_bare_array_they_are(world, api_as, openapi):
    operation = openapi["paths"]["/api/v1/deployments/{id}/checks/"]["get"]
    assert [p["name"] for p in operation.get("parameters", [])] == ["id"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array"
    deployment = DeploymentFactory(organization=world.org)
    answer = api_as(world.dpo).get(f"/api/v1/deployments/{deployment.pk}/checks/").json()
    assert isinstance(answer, list) and {"rule", "met", "fix"} <= set(answer[0])


def test_an_erased_subject_is_409_for_enrollments_as_for_consents_and_requests(world):
    subject = SubjectFactory(organization=world.org, erased_at=timezone.now())
    with pytest.raises(Conflict, match="erased") as refused:
        enrollment_check(
            organization=world.org,
            deployment=DeploymentFactory(organization=world.org),
            purpose=PurposeFactory(organization=world.org),
            subject=subject,
        )
    assert (refused.value.status, refused.value.code) == (409, "subject_erased")
    assert ERROR_CODES["subject_erased"].status == 409


CREATING = (
    "subjects_create",
    "consents_create",
    "enrollments_create",
    "recognition_jobs_create",
    "data_requests_create",
    "purposes_create",
    "deployments_create",
    "notices_create",
    "assessments_create",
)


def test_the_creating_posts_carry_real_request_examples(openapi):
    operations = {op["operationId"]: op for _p, _m, op in _operations(openapi)}
    for name in CREATING:
        (media,) = operations[name]["requestBody"]["content"].values()
        schema = _resolve(openapi, media["schema"])
        for example in media["examples"].values():
            body = example["value"]
            assert set(schema.get("required", [])) <= set(body), name
            assert set(body) <= set(schema["properties"]), name


def test_r28_a_sign_off_refusal_names_the_field_to_write_and_its_api_call(world, api_as, openapi):
    deployment = DeploymentFactory(organization=world.org)
    assessment = AssessmentFactory(deployment=deployment, section_security_risks="")
    response = api_as(world.dpo).post(f"/api/v1/assessments/{assessment.pk}/sign-off/")
    assert response.status_code == 422
    details = {d["rule"]: d for d in response.json()["details"]}
    fix = details["R28"]["fix"]
    assert fix["field"] == "section_security_risks" == details["R28"]["field"]
    operation = _operation_at(openapi, fix["method"], fix["path"])
    assert operation["operationId"] == fix["operation"] == "assessments_partial_update"
    assert fix["field"] in _body_fields(openapi, operation)
    assert details["R27"]["fix"]["operation"] == "deployments_purposes_create"


def test_the_compliance_answer_names_the_api_call_beside_the_panel_page(world, api_as, openapi):
    DeploymentFactory(organization=world.org, place_type="public_place")
    rows = api_as(world.dpo).get("/api/v1/compliance/").json()["rules"]
    fixes = {row["rule"]: row["fix"] for row in rows if row["state"] == "unmet"}
    assert fixes["R27"]["operation"] == "assessments_create"
    for fix in filter(None, fixes.values()):
        operation = _operation_at(openapi, fix["method"], fix["path"])
        assert operation["operationId"] == fix["operation"], fix
    assert all(row["fix"] is None for row in rows if row["state"] in ("met", "not_applicable"))
