"""The entry point of data-subject requests; the dsr app's workflow takes them from here."""

from django.db import transaction

from audit.actors import Actor
from audit.services import audit_record
from consent.models import DataRequest, Subject
from consent.signals import data_request_filed
from tenants.errors import ApplicationError, Conflict

MAX_MESSAGE = 4000
SELF_SERVICE_IDENTITY = "signed in on the self-service pages"


@transaction.atomic
def data_request_file(
    *,
    subject: Subject,
    kind: str,
    message: str,
    channel: str,
    actor: Actor,
    identity_check: str = "",
    language: str = "",
) -> DataRequest:
    """Record a request about one's data (PIPL Art. 44-50); the dsr workflow takes it on.

    A request from the self-service pages counts as identity-verified: the person signed in
    with a code sent to their address or a receipt code with their date of birth. Staff and
    API callers state the check they made in ``identity_check`` (empty: not yet checked).
    Raise ApplicationError for an unknown kind or channel, Conflict for an erased subject.
    """
    if kind not in DataRequest.Kind.values:
        raise ApplicationError(f"Unknown request kind {kind!r}.", code="invalid_kind")
    if channel not in DataRequest.Channel.values:
        raise ApplicationError(f"Unknown channel {channel!r}.", code="invalid_channel")
    if subject.is_erased:
        raise Conflict("This subject has been erased.", code="subject_erased")
    if channel == DataRequest.Channel.SELF_SERVICE:
        identity_check = identity_check or SELF_SERVICE_IDENTITY
    request = DataRequest.objects.create(
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
        target_id=request.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"kind": kind, "channel": channel, "identity_checked": bool(identity_check)},
    )
    data_request_filed.send(sender=DataRequest, data_request=request, actor=actor)
    return request
