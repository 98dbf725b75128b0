"""Filing a data-subject request: the one entry point of every channel (PIPL Art. 44-50).

The self-service page, the panel and the API all call ``dsr_request_file``. The row, its
deadline, identity state and duplicate link are written in one transaction, so no request is
ever visible without its deadline (R50).
"""

from django.db import transaction

from audit.actors import Actor
from audit.services import audit_record
from consent.models import Subject
from dsr.models import DataRequest
from dsr.services.deadlines import first_deadline
from dsr.services.lifecycle import request_audit
from tenants.errors import ApplicationError, Conflict

MAX_MESSAGE = 4000
# R45: signing in on /me/ (a code sent to the address, or a receipt code with the date of
# birth) is the identity check of a self-service request.
SELF_SERVICE_IDENTITY = "signed in on the self-service pages"

Channel = DataRequest.Channel
Status = DataRequest.Status


@transaction.atomic
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
    """Record a request about one's data and take it into the workflow; return the row.

    A self-service request counts as identity-verified. Staff must record the identity check
    they made (R45); an API client may leave it for the DPO to record later. Raise
    ApplicationError for an unknown kind or channel or a staff request without its check,
    Conflict for an erased subject. A portability transfer names its receiver, so it is filed
    by ``dsr.services.transfer.portability_transfer_file`` (which calls ``request_file``).
    """
    if kind == DataRequest.Kind.PORTABILITY_TRANSFER:
        raise ApplicationError(
            "A transfer names its receiver: file it with POST /api/v1/portability-transfers/.",
            code="use_transfer_request",
        )
    return request_file(
        subject=subject,
        kind=kind,
        channel=channel,
        actor=actor,
        message=message,
        identity_check=identity_check,
        language=language,
    )


def request_file(
    *,
    subject: Subject,
    kind: str,
    channel: str,
    actor: Actor,
    message: str = "",
    identity_check: str = "",
    language: str = "",
) -> DataRequest:
    """File a request of any kind (the caller holds the transaction); see dsr_request_file."""
    if kind not in DataRequest.Kind.values:
        raise ApplicationError(f"Unknown request kind {kind!r}.", code="invalid_kind")
    if channel not in Channel.values:
        raise ApplicationError(f"Unknown channel {channel!r}.", code="invalid_channel")
    if channel == Channel.STAFF and not identity_check.strip():
        raise ApplicationError(
            "Record how you checked the person's identity.", code="identity_check_missing"
        )
    if subject.is_erased:
        raise Conflict("This subject has been erased.", code="subject_erased")
    if channel == Channel.SELF_SERVICE:
        identity_check = identity_check or SELF_SERVICE_IDENTITY
    data_request = DataRequest.objects.create(
        organization_id=subject.organization_id,
        subject=subject,
        subject_pseudonym=subject.pseudonym,
        kind=kind,
        channel=channel,
        message=(message or "").strip()[:MAX_MESSAGE],
        identity_check=(identity_check or "").strip()[:300],
        language=(language or "")[:8],
    )
    audit_record(
        organization_id=subject.organization_id,
        actor=actor,
        action="data_request.filed",
        target_type="data_request",
        target_id=data_request.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"kind": kind, "channel": channel, "identity_checked": bool(identity_check)},
    )
    return _intake(data_request, actor)


def _intake(data_request: DataRequest, actor: Actor) -> DataRequest:
    """Set the new request's deadline, identity state and duplicate link.

    A request of the same kind from the same person that is still open makes this one a
    duplicate: it is linked to the first, kept, and answered with it.
    """
    data_request.first_due_at = data_request.due_at = first_deadline(
        organization=data_request.organization,
        received_at=data_request.created_at,
        subject_id=data_request.subject_id,
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
    request_audit(data_request, actor, "received", **details)
    return data_request
