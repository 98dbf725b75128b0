"""The entry point of data-subject requests; the requests workflow takes them from here."""

from django.db import transaction

from audit.actors import Actor
from audit.services import audit_record
from consent.models import DataRequest, Subject
from tenants.errors import ApplicationError, Conflict

MAX_MESSAGE = 4000


@transaction.atomic
def data_request_file(
    *, subject: Subject, kind: str, message: str, channel: str, actor: Actor
) -> DataRequest:
    """Record a request to see, correct or delete one's data, or to object (PIPL Art. 44-48).

    Raise ApplicationError for an unknown kind or channel, Conflict for an erased subject.
    """
    if kind not in DataRequest.Kind.values:
        raise ApplicationError(f"Unknown request kind {kind!r}.", code="invalid_kind")
    if channel not in DataRequest.Channel.values:
        raise ApplicationError(f"Unknown channel {channel!r}.", code="invalid_channel")
    if subject.is_erased:
        raise Conflict("This subject has been erased.", code="subject_erased")
    request = DataRequest.objects.create(
        organization_id=subject.organization_id,
        subject=subject,
        subject_pseudonym=subject.pseudonym,
        kind=kind,
        channel=channel,
        message=(message or "").strip()[:MAX_MESSAGE],
    )
    audit_record(
        organization_id=subject.organization_id,
        actor=actor,
        action="data_request.filed",
        target_type="data_request",
        target_id=request.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"kind": kind, "channel": channel},
    )
    return request
