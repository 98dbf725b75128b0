"""The requests workflow: intake, identity, start, extension, rejection, completion (R45-R50).

received -> identity_verified -> in_progress -> completed | rejected, with one extension
(extended) allowed before the first deadline. Every step is audited; the person is told of an
extension (with reasons), a rejection (with the complaint and court routes) and the answer.
"""

from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from consent.models import DataRequest, Subject
from consent.services import data_request_file
from dsr.errors import AlreadyDone
from dsr.services import letters
from dsr.services.deadlines import extended_deadline, first_deadline
from tenants.errors import ApplicationError, Conflict

Status = DataRequest.Status
# Kinds whose completion runs in its own transactions (erasure verifies after its commit).
_SEPARATE = {DataRequest.Kind.ERASURE}


def _audit(data_request: DataRequest, actor: Actor, action: str, **details) -> None:
    audit_record(
        organization_id=data_request.organization_id,
        actor=actor,
        action=f"data_request.{action}",
        target_type="data_request",
        target_id=data_request.pk,
        subject_pseudonym=str(data_request.subject_pseudonym),
        details={"kind": data_request.kind, **details},
    )


def _locked(data_request: DataRequest) -> DataRequest:
    return (
        DataRequest.objects.select_for_update(of=("self",))
        .select_related("organization", "subject")
        .get(pk=data_request.pk)
    )


def _require_open(data_request: DataRequest) -> None:
    if not data_request.is_open:
        raise AlreadyDone(
            f"This request is already {data_request.get_status_display().lower()}.",
            details={"status": data_request.status},
        )


def dsr_request_intake(*, data_request: DataRequest, actor: Actor) -> DataRequest:
    """Set a new request's deadline, identity state and duplicate link (same transaction).

    A request of the same kind from the same person that is still open makes this one a
    duplicate: it is linked to the first, kept, and answered with it.
    """
    data_request.first_due_at = data_request.due_at = first_deadline(
        organization=data_request.organization, received_at=data_request.created_at
    )
    fields = ["first_due_at", "due_at"]
    if data_request.identity_check:
        data_request.status = Status.IDENTITY_VERIFIED
        data_request.identity_verified_at = data_request.created_at
        data_request.identity_verified_by = actor.label[:200]
        fields += ["status", "identity_verified_at", "identity_verified_by"]
    original = (
        DataRequest.objects.open()
        .filter(subject_id=data_request.subject_id, kind=data_request.kind, duplicate_of=None)
        .exclude(pk=data_request.pk)
        .order_by("created_at", "pk")
        .first()
    )
    if original is not None:
        data_request.duplicate_of = original
        fields.append("duplicate_of")
    data_request.save(update_fields=fields)
    details = {"due_at": data_request.due_at.isoformat()}
    if original is not None:
        details["duplicate_of"] = original.pk
    _audit(data_request, actor, "received", **details)
    return data_request


def dsr_request_file(
    *,
    subject: Subject,
    kind: str,
    channel: str,
    actor: Actor,
    message: str = "",
    identity_check: str = "",
    language: str = "",
) -> DataRequest:
    """File a request for a person (staff on their behalf, or an API client).

    Staff must record the identity check they made (R45: identity verification); an API
    client may leave it for the DPO to record later.
    """
    if channel == DataRequest.Channel.STAFF and not identity_check.strip():
        raise ApplicationError(
            "Record how you checked the person's identity.", code="identity_check_missing"
        )
    request = data_request_file(
        subject=subject,
        kind=kind,
        message=message,
        channel=channel,
        actor=actor,
        identity_check=identity_check,
        language=language,
    )
    request.refresh_from_db()
    return request


@transaction.atomic
def dsr_identity_verify(*, data_request: DataRequest, actor: Actor, check: str) -> DataRequest:
    """Record how the person's identity was checked; the request can then be handled."""
    data_request = _locked(data_request)
    _require_open(data_request)
    if not check.strip():
        raise ApplicationError("Describe the identity check.", code="identity_check_missing")
    if data_request.status != Status.RECEIVED:
        raise Conflict("The identity is already verified.", code="identity_already_verified")
    data_request.identity_check = check.strip()[:300]
    data_request.identity_verified_at = timezone.now()
    data_request.identity_verified_by = actor.label[:200]
    data_request.status = Status.IDENTITY_VERIFIED
    data_request.save()
    _audit(data_request, actor, "identity_verified")
    return data_request


@transaction.atomic
def dsr_request_start(*, data_request: DataRequest, actor: Actor) -> DataRequest:
    """Mark the request as being worked on (after the identity check)."""
    data_request = _locked(data_request)
    _require_open(data_request)
    if data_request.status == Status.RECEIVED:
        raise Conflict("Verify the person's identity first.", code="identity_unverified")
    if data_request.status in (Status.IN_PROGRESS, Status.EXTENDED):
        return data_request
    data_request.status = Status.IN_PROGRESS
    data_request.started_at = timezone.now()
    data_request.handled_by = actor.label[:200]
    data_request.save()
    _audit(data_request, actor, "started")
    return data_request


@transaction.atomic
def dsr_request_extend(*, data_request: DataRequest, actor: Actor, reason: str) -> DataRequest:
    """Extend the deadline once, telling the person why before the first deadline (R50).

    GDPR Art. 12(3): the extension must be notified within the first month, so an overdue
    request can no longer be extended. Raise Conflict when extended already or too late.
    """
    data_request = _locked(data_request)
    _require_open(data_request)
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
        organization=data_request.organization, first_due_at=data_request.first_due_at
    )
    data_request.extended_at = data_request.extension_notified_at = now
    data_request.extension_reason = reason.strip()
    data_request.status = Status.EXTENDED
    data_request.deadline_flag = ""
    data_request.save()
    letters.tell_person(
        data_request=data_request, body=letters.extension_notice(data_request=data_request)
    )
    _audit(data_request, actor, "extended", due_at=data_request.due_at.isoformat())
    return data_request


@transaction.atomic
def dsr_request_reject(*, data_request: DataRequest, actor: Actor, reason: str) -> DataRequest:
    """Reject with a reason; the letter tells the person they may complain or sue (R49)."""
    data_request = _locked(data_request)
    _require_open(data_request)
    if not reason.strip():
        raise ApplicationError("A rejection needs a reason.", code="reason_missing")
    data_request.rejection_reason = reason.strip()
    data_request.response = letters.rejection_letter(
        data_request=data_request, reason=data_request.rejection_reason
    )
    _close(data_request, actor, Status.REJECTED, outcome="rejected")
    letters.tell_person(data_request=data_request, body=data_request.response)
    _audit(data_request, actor, "rejected")
    return data_request


def _close(data_request: DataRequest, actor: Actor, status: str, *, outcome: str) -> None:
    data_request.status = status
    data_request.outcome = outcome
    data_request.closed_at = timezone.now()
    data_request.handled_by = actor.label[:200]
    data_request.deadline_flag = ""
    data_request.save()


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
    from dsr.services import correction, erasure, explanation, export, restriction

    current = DataRequest.objects.select_related("organization", "subject").get(pk=data_request.pk)
    _require_open(current)
    if current.status == Status.RECEIVED:
        raise Conflict("Verify the person's identity first.", code="identity_unverified")
    if current.subject is None:
        raise Conflict("The request's subject no longer exists.", code="subject_missing")
    if current.kind in _SEPARATE:
        return erasure.dsr_erasure_complete(data_request=current, actor=actor, note=response)
    with transaction.atomic():
        current = _locked(current)
        _require_open(current)
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
        finish(current, actor, outcome=outcome)
    return current


def finish(data_request: DataRequest, actor: Actor, *, outcome: str, address=None) -> None:
    """Close a request as completed, tell the person, and audit it (caller holds the lock)."""
    _close(data_request, actor, Status.COMPLETED, outcome=outcome)
    letters.tell_person(
        data_request=data_request,
        body=letters.completion_notice(data_request=data_request),
        address=address,
    )
    _audit(data_request, actor, "completed", outcome=outcome)
    # Duplicates are answered with the request they repeat.
    for duplicate in DataRequest.objects.open().filter(duplicate_of=data_request):
        duplicate.response = data_request.response
        _close(duplicate, actor, Status.COMPLETED, outcome=f"answered_with_{data_request.pk}")
        _audit(duplicate, actor, "completed", outcome=duplicate.outcome)
