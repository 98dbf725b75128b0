"""Completing a data-subject request: carry out what each kind asks, then answer (R45-R50)."""

from django.db import transaction

from audit.actors import Actor
from dsr.models import DataRequest
from dsr.services import correction, erasure, explanation, export, restriction
from dsr.services.lifecycle import request_finish, request_locked, request_require_open
from tenants.errors import Conflict

Status = DataRequest.Status
# Kinds whose completion runs in its own transactions (erasure verifies after its commit).
_SEPARATE = {DataRequest.Kind.ERASURE}


def dsr_request_complete(
    *,
    data_request: DataRequest,
    actor: Actor,
    response: str = "",
    changes: dict | None = None,
    photo: bytes | None = None,
) -> DataRequest:
    """Carry out the request and answer it; raise AlreadyDone when it was answered before.

    Access and portability issue an expiring download link; erasure deletes and verifies;
    correction edits the profile (and re-enrolls the face); restriction stops all use but
    storage; explanation answers from the published notices; objection routes every match
    naming the person to a human (R43).
    """
    current = DataRequest.objects.select_related("organization", "subject").get(pk=data_request.pk)
    request_require_open(current)
    if current.status == Status.RECEIVED:
        raise Conflict("Verify the person's identity first.", code="identity_unverified")
    if current.subject is None:
        raise Conflict("The request's subject no longer exists.", code="subject_missing")
    if current.kind == DataRequest.Kind.PORTABILITY_TRANSFER:
        raise Conflict(
            "A transfer is approved after its eligibility check, or refused with a reason.",
            code="use_transfer_approval",
        )
    if current.kind in _SEPARATE:
        return erasure.dsr_erasure_complete(data_request=current, actor=actor, note=response)
    with transaction.atomic():
        current = request_locked(current)
        request_require_open(current)
        kind, outcome = current.kind, ""
        if kind in (DataRequest.Kind.ACCESS, DataRequest.Kind.PORTABILITY):
            export.dsr_export_link_issue(data_request=current, actor=actor)
            outcome = "exported"
        elif kind == DataRequest.Kind.CORRECTION:
            current.changes = correction.dsr_correction_apply(
                data_request=current, actor=actor, changes=changes or {}, photo=photo
            )
            outcome = "corrected"
        elif kind == DataRequest.Kind.RESTRICTION:
            current.changes = restriction.dsr_restriction_apply(
                subject=current.subject, actor=actor, reason=f"data request #{current.pk}"
            )
            outcome = "restricted"
        elif kind == DataRequest.Kind.EXPLANATION:
            response = explanation.explanation_text(data_request=current, note=response)
            outcome = "explained"
        elif kind == DataRequest.Kind.OBJECTION:
            restriction.dsr_objection_record(subject=current.subject, actor=actor)
            outcome = "objection_recorded"
        current.response = response.strip() or current.response
        request_finish(current, actor, outcome=outcome)
    return current
