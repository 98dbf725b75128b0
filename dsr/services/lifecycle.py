"""The steps every data-subject request goes through: lock, check open, audit, close, finish.

Shared by the workflow (intake to rejection), completion and erasure, so none of them reaches
into another's private helpers.
"""

from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from dsr.errors import AlreadyDone
from dsr.models import DataRequest
from dsr.services import letters

Status = DataRequest.Status


def request_audit(data_request: DataRequest, actor: Actor, action: str, **details) -> None:
    audit_record(
        organization_id=data_request.organization_id,
        actor=actor,
        action=f"data_request.{action}",
        target_type="data_request",
        target_id=data_request.pk,
        subject_pseudonym=str(data_request.subject_pseudonym),
        details={"kind": data_request.kind, **details},
    )


def request_locked(data_request: DataRequest) -> DataRequest:
    return (
        DataRequest.objects.select_for_update(of=("self",))
        .select_related("organization", "subject")
        .get(pk=data_request.pk)
    )


def request_require_open(data_request: DataRequest) -> None:
    if not data_request.is_open:
        raise AlreadyDone(
            f"This request is already {data_request.get_status_display().lower()}.",
            details={"status": data_request.status},
        )


def request_close(data_request: DataRequest, actor: Actor, status: str, *, outcome: str) -> None:
    data_request.status = status
    data_request.outcome = outcome
    data_request.closed_at = timezone.now()
    data_request.handled_by = actor.label[:200]
    data_request.deadline_flag = ""
    data_request.save()


def request_finish(data_request: DataRequest, actor: Actor, *, outcome: str, address=None) -> None:
    """Close a request as completed, tell the person, and audit it (caller holds the lock)."""
    request_close(data_request, actor, Status.COMPLETED, outcome=outcome)
    letters.tell_person(
        data_request=data_request,
        body=letters.completion_notice(data_request=data_request),
        address=address,
    )
    request_audit(data_request, actor, "completed", outcome=outcome)
    # Duplicates are answered with the request they repeat.
    for duplicate in DataRequest.objects.open().filter(duplicate_of=data_request):
        duplicate.response = data_request.response
        request_close(
            duplicate, actor, Status.COMPLETED, outcome=f"answered_with_{data_request.pk}"
        )
        request_audit(duplicate, actor, "completed", outcome=duplicate.outcome)
