"""Every stable error code the API answers, with its one HTTP status and the shape of its details.

The schema's error component (portal.api.schema) and docs/api-errors.md are generated from this
table; tests/portal/test_api_contract.py reads the source for every code the ApplicationError
family is built with and fails when one is missing here or answers another status, so a client
can branch on ``code`` and trust the status.

How a status is chosen, once for the whole API:
- 400: the request itself is wrong (a field, a reference to another organization's object).
- 403: the caller may not do this (role, separation of duties), whatever the object's state.
- 404: no such object in this organization (another organization's is a 404 too).
- 409: the object's current state refuses it (already done, retired, erased, not yet ready):
  the same request could succeed on an object in another state. An erased subject is 409 for
  consents, requests and enrollments alike: erasure is the subject's state, and no rule the
  operator can meet brings the subject back.
- 410: a link or download that has expired.
- 413: the upload is larger than the request's budget.
- 422: a regulatory rule is unmet; ``details`` lists each rule with how to meet it.
- 429: too many requests or too much work at once; Retry-After says when to come back.
"""

from dataclasses import dataclass

# The shapes ``details`` takes; each is a schema component named in portal.api.schema.
VALIDATION = "ValidationErrorDetails"
RULES = "RuleErrorDetails"
REFERENCE = "UnknownReferenceDetails"
RATE_LIMIT = "RateLimitDetails"
BUSY = "BusyDetails"
IMAGE = "ImageErrorDetails"
BUDGET = "UploadBudgetDetails"
URL = "UrlRefusedDetails"
IDEMPOTENCY = "IdempotencyDetails"
FACTS = "ErrorFacts"


@dataclass(frozen=True)
class ErrorCode:
    status: int
    meaning: str
    details: str = FACTS


def _codes(status: int, details: str = FACTS, **meanings: str) -> dict[str, ErrorCode]:
    return {code: ErrorCode(status, meaning, details) for code, meaning in meanings.items()}


ERROR_CODES: dict[str, ErrorCode] = {
    # 400: the request is wrong.
    **_codes(
        400,
        VALIDATION,
        invalid="A field is missing or malformed; details map each field to its messages.",
        invalid_rate_limits="A rate-limit setting is out of range.",
    ),
    **_codes(
        400,
        REFERENCE,
        unknown_reference="The body names an object that is not this organization's.",
    ),
    **_codes(
        400,
        IMAGE,
        image_rejected="An image was refused.",
        empty="The file or the change is empty.",
        not_an_image="The file is not a JPEG, PNG or WebP image.",
        polyglot="The image's metadata hides script, markup or an archive.",
        too_large="The image file is larger than allowed.",
        too_many_pixels="The image has more pixels than allowed.",
        truncated="The image file ends before the image does.",
        unsupported_type="The image format or pixel format is not accepted.",
    ),
    **_codes(400, URL, url_refused="The portal does not send requests to this URL."),
    **_codes(400, IDEMPOTENCY, idempotency_key_invalid="The Idempotency-Key header is malformed."),
    **_codes(
        400,
        parse_error="The body is not valid JSON or form data.",
        age_unknown="The subject's age is needed to decide whether a guardian must consent.",
        cancelled="The filing document was cancelled.",
        claimed_subject_required="A 1:1 verification needs the claimed subject.",
        code_expired="The one-time code has expired; ask for a new one.",
        consent_ui_version_missing="Say which version of the consent screen the person saw.",
        document_required="A transfer needs its supporting document.",
        file_too_large="The uploaded file is larger than allowed.",
        guardian_missing="A child's consent needs the guardian (R13).",
        identity_check_missing="Say how the requester's identity was checked.",
        invalid_age_bracket="The age bracket is not one of the choices.",
        invalid_candidate="The candidate is not one of the result's.",
        invalid_channel="The channel is not one of the choices.",
        invalid_choice="A value is not one of the choices.",
        invalid_code="The code is wrong or used up.",
        invalid_date="The date is malformed.",
        invalid_delivery="The delivery of a portability transfer is not one of the choices.",
        invalid_decision="The review decision is not one of the choices.",
        invalid_dob="The date of birth is malformed or in the future.",
        invalid_email="The e-mail address is malformed.",
        invalid_field="The body has fields this operation does not take.",
        invalid_fields="A correction names fields that cannot be corrected.",
        invalid_file="The uploaded file is not of an accepted type.",
        invalid_fpir="The false-positive identification rate is out of range.",
        invalid_group="The filing group is not one of the choices.",
        invalid_kind="The kind is not one of the choices.",
        invalid_link="The sign-in link is malformed.",
        invalid_location="The location is not one of the choices.",
        invalid_mechanism="The transfer mechanism is not one of the choices.",
        invalid_permission="The permission is not one of the choices.",
        invalid_portability_file="The portability file cannot be read or is not ours.",
        invalid_receipt_code="The receipt code is malformed.",
        invalid_recipients="The recipients are malformed.",
        invalid_role="The role is not one of the choices.",
        invalid_termination="The termination is not one of the choices.",
        job_type_not_allowed="The purpose does not allow this kind of job.",
        minor_self_service="A child cannot consent on the self-service pages.",
        missing_fields="Fields the operation needs are missing.",
        no_images="The job has no image.",
        no_transfer="The recipient has no transfer basis yet.",
        not_granted="The consent must grant face processing.",
        nothing_enrolled="The subject has nothing enrolled to correct.",
        notice_not_published="The purpose's notice is not published.",
        reason_missing="The operation needs a reason.",
        receiver_missing="A portability transfer names its receiver and how to reach it.",
        receiver_slug_missing="A direct import names the receiving organization.",
        reference_required="The transfer needs its reference.",
        signed_document_missing="A written consent needs the signed document.",
        too_long="The text is longer than allowed.",
        too_many_images="The job has more images than allowed.",
        transfer_subject_required="The transfer must name its subject.",
        unexpected_subject="Only a 1:1 verification names a claimed subject.",
        use_transfer_request="File a transfer with POST /api/v1/portability-transfers/.",
        weak_password="The password is too weak.",  # noqa: S106 (a code, not a secret)
        wrong_code="The second-factor or e-mail code is wrong.",
    ),
    # 401 and 403: who is asking.
    **_codes(
        401,
        not_authenticated="No credentials were sent.",
        authentication_failed="The API key is unknown or revoked.",
    ),
    **_codes(
        403,
        permission_denied="The caller's role does not allow this.",
        forbidden="The caller may not do this to this object.",
        deployment_not_granted="The caller has no permission on this deployment.",
        invitation_other_address="The invitation was sent to another address.",
        separation_of_duties="The same person may not both do and approve this.",
        sign_off_own="The author of an assessment may not sign it off (R27).",
        sign_off_role="Only the DPO signs off an assessment (R27).",
    ),
    # 404: not in this organization.
    **_codes(
        404,
        not_found="No such object in this organization, or no such route.",
        invitation_invalid="The invitation link is not valid.",
        no_package="Only access and portability requests, and finished exports, have a package.",
        no_report="The run has no report.",
    ),
    **_codes(405, method_not_allowed="The route does not take this method."),
    **_codes(406, not_acceptable="The Accept header asks for a format the API does not serve."),
    # 409: the object's state refuses it.
    **_codes(
        409,
        IDEMPOTENCY,
        idempotency_key_in_progress="A request with this Idempotency-Key is still running.",
    ),
    **_codes(
        409,
        conflict="The object's state does not allow this now.",
        account_exists="An account with this address exists.",
        already_active="The consent is already active.",
        already_done="The request or step was already done.",
        already_extended="The deadline was already extended once.",
        already_member="The person is already a member.",
        already_revoked="The API key is already revoked.",
        already_withdrawn="The consent is already withdrawn.",
        closed="The incident or complaint is closed.",
        consent_active="The subject still holds an active consent.",
        consent_withdrawn="The subject's consent was withdrawn.",
        draft="The assessment is still a draft.",
        duplicate="The same object exists already.",
        entrustment_incomplete="The entrustment lacks what its termination needs.",
        extension_too_late="The deadline can no longer be extended.",
        external_ref_taken="Another subject has this external reference.",
        filing_not_open="The filing is not open.",
        filing_not_submitted="The filing is not submitted.",
        hold_exists="A legal hold is already in place.",
        identity_already_verified="The requester's identity is already verified.",
        identity_unverified="The requester's identity is not verified yet.",
        immutable="A signed-off or published object cannot change.",
        in_use="The object is still in use.",
        invalid_status="The deployment's status does not allow this.",
        invitation_accepted="The invitation was accepted.",
        invitation_expired="The invitation has expired.",
        invitation_revoked="The invitation was withdrawn.",
        last_owner="The organization's last owner cannot leave or be demoted.",
        legal_hold_active="A legal hold keeps the data.",
        no_second_factor="No second factor is set up.",
        not_active="The consent is not active.",
        not_finished="The run has not finished.",
        not_pending="The result is not awaiting review.",
        not_ready="The package is not ready yet.",
        not_restricted="The consent is not restricted.",
        purpose_version_not_current="The purpose version is not the current one.",
        recipient_exists="The recipient exists already.",
        restricted="The consent is restricted.",
        retired="The deployment is retired.",
        second_factor_required="The operation needs a second factor.",
        slug_taken="Another organization has this slug.",
        subject_erased="The subject was erased.",
        subject_missing="The request names no subject.",
        superseded="A newer notice replaced this one.",
        suspend_first="Suspend the deployment first.",
        transfer_ineligible="The transfer failed its eligibility check.",
        use_transfer_approval="A transfer is approved after its eligibility check.",
    ),
    **_codes(410, link_expired="The link or download has expired."),
    **_codes(
        413,
        BUDGET,
        upload_budget_exceeded="The images are over the request's budget.",
        byte_budget_exceeded="The images are over the request's byte budget.",
        pixel_budget_exceeded="The images are over the request's pixel budget.",
    ),
    **_codes(415, unsupported_media_type="The content type is not accepted."),
    # 422: a regulatory rule is unmet.
    **_codes(
        422, IDEMPOTENCY, idempotency_key_reused="The Idempotency-Key was used with another body."
    ),
    **_codes(
        422,
        RULES,
        rules_unmet="One or more rules are unmet; details list each with how to meet it.",
        capacity_exceeded="The purpose's gallery is over its calibrated capacity (R54).",
        consent_required="The subject holds no active consent for this purpose (R12).",
        deployment_inactive="The deployment is suspended or retired (R2).",
        enrollment_refused="The enrollment is not allowed.",
        job_refused="The recognition job is not allowed.",
        processing_suspended="New enrollments and jobs are suspended on the deployment.",
        purpose_inactive="The purpose has no current version.",
        purpose_not_attached="The purpose is not attached to the deployment.",
        recipient_incomplete="The recipient lacks what R25 requires.",
        recipient_unregistered="The recipient is not registered (R25).",
        retention_locked="The object must be kept longer (R30).",
        storage_consent_required="The consent does not cover central storage (R19).",
        storage_on_device="The deployment keeps templates on the device (R19).",
        transfer_not_allowed="The transfer of data abroad is not allowed (R25, R26).",
    ),
    # 429: too much at once.
    **_codes(
        429,
        RATE_LIMIT,
        rate_limited="Over a rate limit.",
        throttled="Too many attempts from one address.",
        too_many_attempts="Too many wrong codes.",
    ),
    **_codes(
        429,
        BUSY,
        too_many_active="Too much work queued or running.",
        too_many_active_jobs="Too many recognition jobs queued or running.",
        too_many_active_enrollments="Too many enrollments queued or running.",
        too_many_uploads="Too many uploads in progress.",
    ),
    # 500.
    **_codes(
        500,
        erasure_incomplete="Something of the subject was still found after erasure.",
        server_error="The server failed.",
    ),
}


def codes_by_status() -> dict[int, list[str]]:
    """Return the codes grouped by status, each group sorted."""
    grouped: dict[int, list[str]] = {}
    for code, entry in sorted(ERROR_CODES.items()):
        grouped.setdefault(entry.status, []).append(code)
    return dict(sorted(grouped.items()))


def error_table_markdown() -> str:
    """Return docs/api-errors.md: every code with its status, details shape and meaning."""
    lines = [
        "# API error codes and statuses",
        "",
        'Every error of the API has the body `{"code", "message", "details"}`. `code` is',
        "stable and answers one status everywhere; `details` has the shape named below (the",
        "schema's components of the same name). Generated from `portal/api/error_codes.py`;",
        "`tests/portal/test_api_contract.py` fails when this file, the code or the schema",
        "disagree. Regenerate with `python -m portal.api.error_codes > docs/api-errors.md`.",
        "",
        "How a status is chosen: 400 the request is wrong; 401/403 who asks; 404 not in this",
        "organization; 409 the object's state refuses it (an erased subject is 409 for consents,",
        "requests and enrollments alike: erasure is a state, not a rule the operator can meet);",
        "410 expired; 413 over the upload budget; 422 a regulatory rule is unmet, each listed in",
        "`details` with the API operation and field that fix it (`fix`) and the panel page",
        "(`fix_url`); 429 too much at once, with `Retry-After`.",
        "",
        "| code | status | details | meaning |",
        "|---|---|---|---|",
    ]
    for status, codes in codes_by_status().items():
        for code in codes:
            entry = ERROR_CODES[code]
            lines.append(f"| `{code}` | {status} | {entry.details} | {entry.meaning} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(error_table_markdown(), end="")
