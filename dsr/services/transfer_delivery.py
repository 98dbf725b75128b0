"""Approving a portability transfer (R46) and delivering it: a link, or a direct import.

Approval repeats the eligibility check (``transfer.portability_transfer_check``): a basis may
have lapsed or the identity check may still be missing since the DPO last looked. An eligible
transfer is delivered at once and its request completed:
- "link": a signed download link for the receiver, single-use and expiring after
  DSR_EXPORT_LINK_HOURS. The file is built when the receiver fetches it (no second copy of the
  person's data waits on the server), validated against the schema, and the fetch is audited
  with the receiver's address; a second fetch or a late one is refused (410).
- "import": the file goes straight into the receiving organization on this platform through
  ``portability_import``: a new subject there, the consents as history "needs confirmation"
  (the receiver must ask the person for its own consent; PIPL Art. 14, 29).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from dsr.models import DataRequest, PortabilityTransfer
from dsr.services.export import LinkExpired
from dsr.services.lifecycle import (
    request_audit,
    request_finish,
    request_locked,
    request_require_open,
)
from dsr.services.portability import (
    portability_export,
    portability_import,
    portability_json,
    portability_validate,
)
from dsr.services.transfer import portability_transfer_check
from tenants.errors import Conflict, NotFound
from tenants.rls import rls_restore, rls_scope

Delivery = PortabilityTransfer.Delivery
_SALT = "dsr.portability-transfer"


class TransferIneligible(Conflict):
    """The eligibility check failed: the DPO refuses the request with the reasons shown."""

    code = "transfer_ineligible"


def portability_transfer_link_token(transfer: PortabilityTransfer) -> str:
    """Return a token of the transfer's current link (empty when none is live)."""
    if not transfer.link_nonce or transfer.delivered_at is not None:
        return ""
    return signing.dumps({"t": transfer.pk, "n": transfer.link_nonce}, salt=_SALT)


def portability_transfer_approve(*, transfer: PortabilityTransfer, actor: Actor):
    """Approve an eligible transfer, deliver it and complete its request; return the transfer.

    Raise TransferIneligible (409, with every failed check in ``details``) when the check
    fails, AlreadyDone when the request was answered, Conflict before the identity check.
    The import path raises what ``portability_import`` raises (e.g. a reference the receiver
    already uses) and then nothing is delivered.
    """
    if transfer.data_request.status == DataRequest.Status.RECEIVED:
        raise Conflict("Verify the person's identity first.", code="identity_unverified")
    request_require_open(transfer.data_request)
    checks = portability_transfer_check(transfer=transfer, actor=actor)
    failed = [c for c in checks if not c["ok"]]
    if failed:
        raise TransferIneligible(
            _("This transfer is not eligible: refuse it with the reasons shown."),
            details={"failed": failed},
        )
    with transaction.atomic():
        data_request = request_locked(transfer.data_request)
        request_require_open(data_request)
        transfer = PortabilityTransfer.objects.select_for_update().get(pk=transfer.pk)
        transfer.approved_at = timezone.now()
        transfer.approved_by_label = actor.label[:200]
        if transfer.delivery == Delivery.IMPORT:
            outcome = _deliver_import(transfer, data_request, actor)
        else:
            outcome = _issue_link(transfer, data_request, actor)
        transfer.save()
        request_audit(data_request, actor, "transfer_approved", delivery=transfer.delivery)
        request_finish(data_request, actor, outcome=outcome)
    return transfer


def _deliver_import(transfer, data_request, actor) -> str:
    document = portability_validate(portability_export(subject=data_request.subject, actor=actor))
    # The DPO acts for this organization, so row-level security shows only its rows; the
    # import writes the receiving organization's, under its scope, then this one's comes back.
    previous = rls_scope(transfer.target_organization_id)
    try:
        record = portability_import(
            organization=transfer.target_organization, document=document, actor=actor
        )
    finally:
        rls_restore(previous)
    transfer.import_record = record
    transfer.delivered_at = timezone.now()
    transfer.delivered_sha256 = record.file_sha256
    data_request.response = _(
        "Your data was transferred to %(name)s. Your consents arrive there as history: "
        "%(name)s must ask for your own consent before it uses your face."
    ) % {"name": transfer.receiver_name}
    request_audit(
        data_request,
        actor,
        "transfer_delivered",
        delivery=Delivery.IMPORT,
        receiver_organization=transfer.target_organization_id,
        digest=record.file_sha256,
    )
    return "transferred_by_import"


def _issue_link(transfer, data_request, actor) -> str:
    transfer.link_nonce = secrets.token_hex(16)
    transfer.link_expires_at = timezone.now() + timedelta(hours=settings.DSR_EXPORT_LINK_HOURS)
    data_request.response = _(
        "A single-use download link for your data was issued to %(name)s (%(contact)s); "
        "it works until %(date)s."
    ) % {
        "name": transfer.receiver_name,
        "contact": transfer.receiver_contact,
        "date": date_format(localtime(transfer.link_expires_at), "DATETIME_FORMAT"),
    }
    request_audit(
        data_request,
        actor,
        "transfer_link_issued",
        expires_at=transfer.link_expires_at.isoformat(),
    )
    return "transfer_link_issued"


def portability_transfer_fetch(*, token: str, actor: Actor) -> bytes:
    """Return the portability file behind a receiver's link, once; audit the fetch.

    Raise NotFound for a forged or unknown token (the same answer, confirming nothing),
    LinkExpired (410) for a link used before, expired, or whose subject has since been erased.
    The row lock makes two simultaneous fetches deliver one file.
    """
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise NotFound(_("No such download.")) from None
    with transaction.atomic():
        transfer = (
            PortabilityTransfer.objects.select_for_update(of=("self",))
            .select_related("data_request__subject")
            .filter(pk=data.get("t"), link_nonce=data.get("n") or "-")
            .first()
        )
        if transfer is None:
            raise NotFound(_("No such download."))
        data_request = transfer.data_request
        subject = data_request.subject
        refused = ""
        if transfer.delivered_at is not None:
            refused = "used"
            message = _("This link was already used: it works once.")
        elif timezone.now() >= transfer.link_expires_at:
            refused = "expired"
            message = _("This link has expired.")
        elif subject is None or subject.is_erased:
            refused = "subject_gone"
            message = _("This data is no longer held.")
        if refused:
            # Raised after the block commits, so the refusal's audit row survives the 410.
            request_audit(data_request, actor, "transfer_fetch_refused", reason=refused)
        else:
            body = portability_json(
                portability_validate(portability_export(subject=subject, actor=actor))
            )
            transfer.delivered_at = timezone.now()
            transfer.delivered_sha256 = hashlib.sha256(body).hexdigest()
            transfer.save(update_fields=["delivered_at", "delivered_sha256"])
            audit_record(
                organization_id=transfer.organization_id,
                actor=actor,
                action="data_request.transfer_fetched",
                target_type="data_request",
                target_id=data_request.pk,
                subject_pseudonym=str(data_request.subject_pseudonym),
                details={
                    "kind": data_request.kind,
                    "receiver": transfer.receiver_name[:100],
                    "bytes": len(body),
                    "sha256": transfer.delivered_sha256,
                },
            )
    if refused:
        raise LinkExpired(message, code=f"link_{refused}")
    return body
