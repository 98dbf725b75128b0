"""Recipients (R25) and the legal bases of transfers out of the PRC (R26): record them with
their documents, serve the documents audited."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.gates import fix_url
from governance.models import Deployment, Location, Recipient, TransferBasis
from governance.uploads import attachment_media_type, file_sha256, validate_attachment
from tenants.errors import ApplicationError, Conflict, RuleViolation, UnknownReference

RECIPIENT_TEXT_FIELDS = ("name", "contact", "purpose", "method", "data_types")


def _audit(organization_id: int, actor: Actor, action: str, target_type: str, pk: int, **details):
    audit_record(
        organization_id=organization_id,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=pk,
        details=details,
    )


def recipient_missing_violation(recipient: Recipient, lacking: list[str]) -> RuleViolation:
    """Return the R25 refusal for a recipient that lacks ``lacking``, with its fix."""
    return RuleViolation(
        _(
            "A recipient needs its contact, purpose, method, data types, location and signed "
            "contract before data may be provided to it (R25, PIPL Art. 23). %(name)s lacks: "
            "%(missing)s."
        )
        % {"name": recipient.name or _("This recipient"), "missing": ", ".join(lacking)},
        code="recipient_incomplete",
        details=[
            {
                "rule": "R25",
                "message": _("Record in the recipient register: %(missing)s.")
                % {"missing": ", ".join(lacking)},
                "fix_url": fix_url("gov_recipient_list", recipient.organization),
                "missing": lacking,
            }
        ],
    )


@transaction.atomic
def recipient_add(*, organization, actor: Actor, contract=None, **fields) -> Recipient:
    """Register another processor data is provided to, with its signed contract; audit it.

    ``fields``: RECIPIENT_TEXT_FIELDS and ``location`` (governance.models.Location). Raise
    RuleViolation (R25) listing what is missing, ApplicationError for an unknown field or a bad
    document (governance.uploads), Conflict when the name is already registered.
    """
    unknown = set(fields) - {*RECIPIENT_TEXT_FIELDS, "location"}
    if unknown:
        raise ApplicationError(
            _("Unknown fields."), code="invalid_field", details={"fields": sorted(unknown)}
        )
    location = fields.get("location") or ""
    if location and location not in Location.values:
        raise ApplicationError(
            _("Choose where the recipient stores and processes the data."),
            code="invalid_location",
            details={"locations": list(Location.values)},
        )
    recipient = Recipient(
        organization=organization,
        created_by_label=actor.label[:200],
        **{name: str(fields.get(name) or "").strip() for name in RECIPIENT_TEXT_FIELDS},
        location=location,
    )
    lacking = recipient.missing(contract_given=contract is not None)
    if lacking:
        raise recipient_missing_violation(recipient, lacking)
    validate_attachment(contract)
    recipient.contract_sha256 = file_sha256(contract)
    recipient.contract_name = contract.name.rsplit("/", 1)[-1][:200]
    recipient.contract.save(recipient.contract_name[:100], contract, save=False)
    try:
        with transaction.atomic():
            recipient.save()
    except IntegrityError:
        raise Conflict(
            _("A recipient of this name is already registered."), code="recipient_exists"
        ) from None
    _audit(
        organization.pk,
        actor,
        "recipient.added",
        "recipient",
        recipient.pk,
        name=recipient.name,
        location=recipient.location,
        contract_sha256=recipient.contract_sha256,
    )
    return recipient


def recipient_contract_open(*, recipient: Recipient, actor: Actor):
    """Return (file handle, file name, media type) of a recipient's contract; audit the read."""
    filename = recipient.contract.name.rsplit("/", 1)[-1]
    handle = recipient.contract.open("rb")
    _audit(
        recipient.organization_id, actor, "recipient.contract_downloaded", "recipient", recipient.pk
    )
    return handle, filename, attachment_media_type(filename)


@transaction.atomic
def transfer_basis_record(
    *,
    organization,
    actor: Actor,
    mechanism: str,
    reference: str,
    document,
    deployment: Deployment | None = None,
    recipient: Recipient | None = None,
    valid_until: datetime.date | None = None,
) -> TransferBasis:
    """Record the legal basis of a transfer out of the PRC with its document (R26); audit it.

    The basis covers exactly one deployment (storing or processing abroad) or one recipient
    (abroad). Raise UnknownReference for another organization's, ApplicationError for an unknown
    mechanism, a missing reference or document, or a transfer that does not leave the PRC.
    """
    if (deployment is None) == (recipient is None):
        raise ApplicationError(
            _("Name the deployment or the recipient the transfer is for (one of them)."),
            code="transfer_subject_required",
        )
    if deployment is not None and deployment.organization_id != organization.pk:
        raise UnknownReference("deployment", [deployment.pk])
    if recipient is not None and recipient.organization_id != organization.pk:
        raise UnknownReference("recipient", [recipient.pk])
    if mechanism not in TransferBasis.Mechanism.values:
        raise ApplicationError(
            _("Choose the legal basis: security assessment, standard contract or certification."),
            code="invalid_mechanism",
            details={"mechanisms": list(TransferBasis.Mechanism.values)},
        )
    if not (reference or "").strip():
        raise ApplicationError(
            _("Give the reference of the assessment, contract filing or certificate."),
            code="reference_required",
        )
    abroad = deployment.transfers_abroad if deployment is not None else recipient.abroad
    if not abroad:
        raise ApplicationError(
            _("This data stays in the PRC: no cross-border transfer needs a legal basis."),
            code="no_transfer",
        )
    if document is None:
        raise ApplicationError(
            _("Upload the assessment result, the filed contract or the certificate."),
            code="document_required",
        )
    validate_attachment(document)
    basis = TransferBasis(
        organization=organization,
        deployment=deployment,
        recipient=recipient,
        mechanism=mechanism,
        reference=reference.strip()[:200],
        valid_until=valid_until,
        document_sha256=file_sha256(document),
        document_name=document.name.rsplit("/", 1)[-1][:200],
        recorded_by_label=actor.label[:200],
    )
    basis.document.save(basis.document_name[:100], document, save=False)
    basis.save()
    _audit(
        organization.pk,
        actor,
        "transfer_basis.recorded",
        "transfer_basis",
        basis.pk,
        mechanism=mechanism,
        reference=basis.reference,
        deployment_id=deployment.pk if deployment else None,
        recipient_id=recipient.pk if recipient else None,
        sha256=basis.document_sha256,
    )
    return basis


def transfer_basis_open(*, basis: TransferBasis, actor: Actor):
    """Return (file handle, file name, media type) of a basis's document; audit the read."""
    filename = basis.document.name.rsplit("/", 1)[-1]
    handle = basis.document.open("rb")
    _audit(basis.organization_id, actor, "transfer_basis.downloaded", "transfer_basis", basis.pk)
    return handle, filename, attachment_media_type(filename)
