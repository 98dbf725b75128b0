"""The requests workflow: identity, start, extension, rejection (R45-R50).

Filing and intake are in ``filing``; completion, which carries out each kind of request, in
``completion``; the steps every request goes through (lock, audit, close, finish) in
``lifecycle``.

received -> identity_verified -> in_progress -> completed | rejected, with one extension
(extended) allowed before the first deadline. Every step is audited; the person is told of an
extension (with reasons), a rejection (with the complaint and court routes) and the answer.
"""

from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from dsr.models import DataRequest
from dsr.services import letters
from dsr.services.deadlines import extended_deadline
from dsr.services.lifecycle import (
    request_audit,
    request_close,
    request_locked,
    request_require_open,
)
from tenants.errors import ApplicationError, Conflict

Status = DataRequest.Status


@transaction.atomic
def dsr_identity_verify(*, data_request: DataRequest, actor: Actor, check: str) -> DataRequest:
    """Record how the person's identity was checked; the request can then be handled."""
    data_request = request_locked(data_request)
    request_require_open(data_request)
    if not check.strip():
        raise ApplicationError("Describe the identity check.", code="identity_check_missing")
    if data_request.status != Status.RECEIVED:
        raise Conflict("The identity is already verified.", code="identity_already_verified")
    data_request.identity_check = check.strip()[:300]
    data_request.identity_verified_at = timezone.now()
    data_request.identity_verified_by = actor.label[:200]
    data_request.status = Status.IDENTITY_VERIFIED
    data_request.save()
    request_audit(data_request, actor, "identity_verified")
    return data_request


@transaction.atomic
def dsr_request_start(*, data_request: DataRequest, actor: Actor) -> DataRequest:
    """Mark the request as being worked on (after the identity check)."""
    data_request = request_locked(data_request)
    request_require_open(data_request)
    if data_request.status == Status.RECEIVED:
        raise Conflict("Verify the person's identity first.", code="identity_unverified")
    if data_request.status in (Status.IN_PROGRESS, Status.EXTENDED):
        return data_request
    data_request.status = Status.IN_PROGRESS
    data_request.started_at = timezone.now()
    data_request.handled_by = actor.label[:200]
    data_request.save()
    request_audit(data_request, actor, "started")
    return data_request


@transaction.atomic
def dsr_request_extend(*, data_request: DataRequest, actor: Actor, reason: str) -> DataRequest:
    """Extend the deadline once, telling the person why before the first deadline (R50).

    GDPR Art. 12(3): the extension must be notified within the first month, so an overdue
    request can no longer be extended. Raise Conflict when extended already or too late.
    """
    data_request = request_locked(data_request)
    request_require_open(data_request)
    if not reason.strip():
        raise ApplicationError("Give the reason for the extension.", code="reason_missing")
    if data_request.extended_at is not None:
        raise Conflict("This request was already extended once.", code="already_extended")
    now = timezone.now()
    if data_request.first_due_at is None or now >= data_request.first_due_at:
        raise Conflict(
            "The first deadline has passed: the person can no longer be told in time.",
            code="extension_too_late",
        )
    data_request.due_at = extended_deadline(
        organization=data_request.organization,
        first_due_at=data_request.first_due_at,
        subject_id=data_request.subject_id,
    )
    data_request.extended_at = data_request.extension_notified_at = now
    data_request.extension_reason = reason.strip()
    data_request.status = Status.EXTENDED
    data_request.deadline_flag = ""
    data_request.save()
    letters.tell_person(
        data_request=data_request, body=letters.extension_notice(data_request=data_request)
    )
    request_audit(data_request, actor, "extended", due_at=data_request.due_at.isoformat())
    return data_request


@transaction.atomic
def dsr_request_reject(*, data_request: DataRequest, actor: Actor, reason: str) -> DataRequest:
    """Reject with a reason; the letter tells the person they may complain or sue (R49)."""
    data_request = request_locked(data_request)
    request_require_open(data_request)
    if not reason.strip():
        raise ApplicationError("A rejection needs a reason.", code="reason_missing")
    data_request.rejection_reason = reason.strip()
    data_request.response = letters.rejection_letter(
        data_request=data_request, reason=data_request.rejection_reason
    )
    request_close(data_request, actor, Status.REJECTED, outcome="rejected")
    letters.tell_person(data_request=data_request, body=data_request.response)
    request_audit(data_request, actor, "rejected")
    return data_request
