"""Portability transfer requests (R46): filing one and checking the receiver's eligibility.

PIPL Art. 45(3): a person may ask that their data be transferred to a processor they
designate, "where the conditions set by the CAC are met"; GDPR Art. 20(2) likewise asks for a
direct transmission where technically feasible. The request is a DataRequest of kind
``portability_transfer`` (so its deadline, identity check, extension and rejection with
reasons are the workflow's), with a PortabilityTransfer naming the receiver. Delivery, once
the DPO approves, is in ``transfer_delivery``.

The eligibility check the DPO sees and approval repeats:
- the receiver is identified: a name and a contact (and, for a direct import, an organization
  on this platform other than this one);
- a receiver outside mainland China has a transfer basis in force (CAC security assessment,
  standard contract or certification; PIPL Art. 38, R26), recorded for the registered
  recipient of that name; without it the transfer must be refused with that reason;
- the request comes from the subject, identity verified (R45), who has not been erased;
- the export follows the portability schema (it is built and validated, and that is audited).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from consent.models import Subject
from dsr.models import DataRequest, PortabilityTransfer
from dsr.services.filing import request_file
from dsr.services.lifecycle import request_audit
from dsr.services.portability import (
    PortabilityFileInvalid,
    portability_export,
    portability_validate,
)
from dsr.services.workflow import dsr_request_reject
from governance.models import Location, Recipient, TransferBasis, in_prc
from tenants.errors import ApplicationError
from tenants.models import Organization

Delivery = PortabilityTransfer.Delivery


def _check(check: str, ok: bool, message: str) -> dict:
    return {"check": check, "ok": ok, "message": message}


@transaction.atomic
def portability_transfer_file(
    *,
    subject: Subject,
    channel: str,
    actor: Actor,
    receiver_name: str,
    receiver_contact: str,
    receiver_location: str,
    delivery: str,
    receiver_slug: str = "",
    message: str = "",
    identity_check: str = "",
    language: str = "",
) -> PortabilityTransfer:
    """File a request to send the subject's data to the named receiver; return the transfer.

    The request takes the usual deadline and identity rules (``request_file``); its
    eligibility is computed at once so the DPO sees it. Raise ApplicationError (400) for a
    receiver without a name or contact, an unknown location or delivery, or a direct import
    that names no organization.
    """
    name, contact, slug = receiver_name.strip(), receiver_contact.strip(), receiver_slug.strip()
    if not name or not contact:
        raise ApplicationError(
            _("Name the receiving organization and how to contact it."),
            code="receiver_missing",
            details={"fields": [f for f, v in (("name", name), ("contact", contact)) if not v]},
        )
    if receiver_location not in Location.values:
        raise ApplicationError(
            _("Choose the receiver's country or region."),
            code="invalid_location",
            details={"choices": list(Location.values)},
        )
    if delivery not in Delivery.values:
        raise ApplicationError(
            _("Choose how the data is delivered."),
            code="invalid_delivery",
            details={"choices": list(Delivery.values)},
        )
    if delivery == Delivery.IMPORT and not slug:
        raise ApplicationError(
            _("A direct import needs the receiving organization's identifier on this platform."),
            code="receiver_slug_missing",
        )
    data_request = request_file(
        subject=subject,
        kind=DataRequest.Kind.PORTABILITY_TRANSFER,
        channel=channel,
        actor=actor,
        message=message,
        identity_check=identity_check,
        language=language,
    )
    transfer = PortabilityTransfer.objects.create(
        organization_id=subject.organization_id,
        data_request=data_request,
        receiver_name=name[:200],
        receiver_contact=contact[:300],
        receiver_location=receiver_location,
        delivery=delivery,
        receiver_slug=slug[:50] if delivery == Delivery.IMPORT else "",
    )
    request_audit(
        data_request,
        actor,
        "transfer_requested",
        receiver=transfer.receiver_name[:100],
        location=receiver_location,
        delivery=delivery,
    )
    portability_transfer_check(transfer=transfer, actor=actor)
    return transfer


def _receiver_checks(transfer: PortabilityTransfer) -> list[dict]:
    org_id = transfer.organization_id
    checks = [
        _check(
            "receiver_identified",
            bool(transfer.receiver_name.strip() and transfer.receiver_contact.strip()),
            _("Receiver: %(name)s, contact %(contact)s.")
            % {"name": transfer.receiver_name, "contact": transfer.receiver_contact},
        )
    ]
    transfer.target_organization = None
    if transfer.delivery == Delivery.IMPORT:
        target = Organization.objects.filter(slug=transfer.receiver_slug).exclude(pk=org_id).first()
        transfer.target_organization = target
        checks.append(
            _check(
                "receiver_on_platform",
                target is not None,
                _("The receiving organization %(slug)s is on this platform.")
                % {"slug": transfer.receiver_slug}
                if target
                else _(
                    "No other organization on this platform has the identifier %(slug)s: "
                    "deliver by link instead."
                )
                % {"slug": transfer.receiver_slug},
            )
        )
    return checks


def _basis_check(transfer: PortabilityTransfer) -> dict:
    """R26: a receiver outside mainland China needs a transfer basis in force."""
    transfer.recipient = (
        Recipient.objects.for_org(transfer.organization)
        .filter(name__iexact=transfer.receiver_name.strip())
        .first()
    )
    if in_prc(transfer.receiver_location):
        return _check(
            "transfer_basis",
            True,
            _("The receiver is in mainland China: no cross-border transfer (R26)."),
        )
    place = transfer.get_receiver_location_display()
    basis = None
    if transfer.recipient is not None:
        basis = (
            TransferBasis.objects.for_org(transfer.organization)
            .in_force(timezone.localdate())
            .filter(recipient=transfer.recipient)
            .first()
        )
    if basis is None:
        return _check(
            "transfer_basis",
            False,
            _(
                "R26 (PIPL Art. 38): the receiver is outside mainland China (%(place)s) and no "
                "transfer basis in force (CAC security assessment, standard contract or "
                "certification) is recorded for it in the recipient register."
            )
            % {"place": place},
        )
    return _check(
        "transfer_basis",
        True,
        _("Transfer abroad (%(place)s) on this basis: %(basis)s (R26).")
        % {"place": place, "basis": str(basis)},
    )


def _subject_check(data_request: DataRequest, subject: Subject | None) -> dict:
    if subject is None or subject.is_erased:
        return _check("subject_verified", False, _("The subject no longer exists here."))
    if data_request.identity_verified_at is None:
        return _check(
            "subject_verified",
            False,
            _("The person's identity is not yet verified (R45): record the check first."),
        )
    return _check(
        "subject_verified",
        True,
        _("The request comes from the subject, identity verified: %(check)s.")
        % {"check": data_request.identity_check},
    )


def _export_check(subject: Subject | None, actor: Actor) -> dict:
    if subject is None or subject.is_erased:
        return _check("export_valid", False, _("There is no data to export."))
    try:
        portability_validate(portability_export(subject=subject, actor=actor))
    except PortabilityFileInvalid as exc:
        return _check(
            "export_valid",
            False,
            _("The export does not follow the portability schema: %(problem)s")
            % {"problem": exc.message},
        )
    return _check("export_valid", True, _("The export follows the portability schema version 1."))


def portability_transfer_check(*, transfer: PortabilityTransfer, actor: Actor) -> list[dict]:
    """Compute, store and audit the transfer's eligibility; return the checks.

    Each check is {"check", "ok", "message"}; the transfer is eligible when all are ok. The
    message of a failed check is the reason a refusal gives the person.
    """
    data_request = (
        DataRequest.objects.select_related("organization", "subject")
        .filter(pk=transfer.data_request_id)
        .get()
    )
    checks = _receiver_checks(transfer)
    checks.append(_basis_check(transfer))
    checks.append(_subject_check(data_request, data_request.subject))
    checks.append(_export_check(data_request.subject, actor))
    transfer.eligibility = checks
    transfer.eligibility_checked_at = timezone.now()
    transfer.save(
        update_fields=["eligibility", "eligibility_checked_at", "recipient", "target_organization"]
    )
    request_audit(
        data_request,
        actor,
        "transfer_checked",
        eligible=transfer.is_eligible,
        failed=[c["check"] for c in checks if not c["ok"]],
    )
    return checks


def portability_transfer_refuse(
    *, transfer: PortabilityTransfer, actor: Actor, reason: str = ""
) -> PortabilityTransfer:
    """Refuse the transfer and tell the person why (R49); return it.

    Without a reason of the DPO's own, the failed checks of the last eligibility check are the
    reason (an abroad receiver without a transfer basis is refused "R26 ..."). Raise
    ApplicationError when there is neither.
    """
    reason = reason.strip() or " ".join(transfer.refusal_reasons)
    if not reason:
        raise ApplicationError(_("A refusal needs a reason."), code="reason_missing")
    dsr_request_reject(data_request=transfer.data_request, actor=actor, reason=reason)
    transfer.refresh_from_db()
    return transfer
