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


def transfer_basis_fix():
    """R26: record the transfer's legal basis (the body also names the deployment or recipient)."""
    return api_fix("transfer_bases_create", "POST", "transfer-basis-list", field="mechanism")


def filing_fix(filing=None):
    """R35, R36, R37: submit the open filing, or open it by evaluating the count."""
    if filing is None:
        return api_fix("filings_evaluate_create", "POST", "filing-evaluate")
    return api_fix("filings_submit_create", "POST", "filing-submit", filing.pk, field="authority")


def filing_profile_fix(field: str):
    """R38: the filing pack's profile field, or the organization's credit code."""
    if field == "unified_social_credit_code":
        return api_fix("organization_partial_update", "PATCH", "organization", field=field)
    return api_fix("filings_profile_partial_update", "PATCH", "filing-profile", field=field)


def filing_document_fix():
    """R38: a sealed material of the filing (the body names its filing and kind)."""
    return api_fix("filing_documents_create", "POST", "filing-document-list", field="kind")


def incident_notify_fix(incident_pk: int):
    return api_fix(
        "incidents_notify_create", "POST", "incident-notify", incident_pk, field="authorities"
    )


def entrustment_fix(field: str = "document"):
    """R51: the entrustment record, whose PUT carries every field (``field`` the first lacking)."""
    return api_fix("entrustment_update", "PUT", "entrustment", field=field)


def complaint_answer_fix(complaint_pk: int):
    return api_fix(
        "complaints_answer_create", "POST", "complaint-answer", complaint_pk, field="answer"
    )
