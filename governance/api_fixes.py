"""The API call that meets an unmet rule, named in every refusal beside the panel link.

A client connecting a gate or an HR system never sees the staff panel, so a refusal's ``fix``
names the operation of the OpenAPI schema (its operationId), the method, the path with its ids
filled in and the body field to set (issue 18). ``tests/portal/test_api_contract.py`` checks
that every operation named here exists in the schema with that method and path.
"""

from django.urls import NoReverseMatch, reverse

from governance.models import Deployment, Purpose

# The body field of purposes_partial_update that meets each content rule of a purpose version
# (governance.gates.purpose_version_problems names the same fields).
PURPOSE_RULE_FIELDS = {
    "R3": "alternatives",
    "R14": "fr_necessity_justification",
    "R20": "retention_days",
}


def api_fix(operation: str, method: str, url_name: str, *args, field: str | None = None):
    """Return ``{"operation", "method", "path", "field"}``, or None when the API is not mounted."""
    try:
        path = reverse(f"api:{url_name}", args=args)
    except NoReverseMatch:
        return None
    return {"operation": operation, "method": method, "path": path, "field": field}


def deployment_edit_fix(deployment: Deployment, field: str):
    return api_fix(
        "deployments_partial_update", "PATCH", "deployment-detail", deployment.pk, field=field
    )


def attach_purpose_fix(deployment: Deployment):
    return api_fix(
        "deployments_purposes_create",
        "POST",
        "deployment-attach-purpose",
        deployment.pk,
        field="purpose",
    )


def purpose_edit_fix(purpose: Purpose, rule: str):
    return api_fix(
        "purposes_partial_update",
        "PATCH",
        "purpose-detail",
        purpose.pk,
        field=PURPOSE_RULE_FIELDS[rule],
    )


def assessment_create_fix():
    return api_fix("assessments_create", "POST", "assessment-list", field="deployment")


def assessment_reassess_fix(assessment):
    return api_fix("assessments_reassess_create", "POST", "assessment-reassess", assessment.pk)
