"""The organization's entrustment contract with the portal operator (R51): record it, audit it."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.models import Entrustment
from governance.uploads import attachment_media_type, file_sha256, validate_attachment
from tenants.errors import ApplicationError, NotFound

TEXT_FIELDS = (
    "contract_reference",
    "processing_purpose",
    "duration",
    "method",
    "data_types",
    "protection_measures",
)


def entrustment_for(organization) -> Entrustment | None:
    """Return the organization's entrustment record, None when none was recorded."""
    return Entrustment.objects.for_org(organization).first()


@transaction.atomic
def entrustment_save(*, organization, actor: Actor, upload=None, **fields) -> Entrustment:
    """Create or update the organization's entrustment record; audit the fields that changed.

    ``fields`` may carry any of TEXT_FIELDS, ``contract_date`` (a date or None) and
    ``termination`` ("return" or "delete"); ``upload`` replaces the contract document after the
    checks of governance.uploads. Raise ApplicationError for an unknown field or value.
    """
    unknown = set(fields) - {*TEXT_FIELDS, "contract_date", "termination"}
    if unknown:
        raise ApplicationError(
            _("Unknown fields."), code="invalid_field", details={"fields": sorted(unknown)}
        )
    termination = fields.get("termination")
    if termination and termination not in Entrustment.Termination.values:
        raise ApplicationError(
            _("Choose whether the data is returned or deleted at termination."),
            code="invalid_termination",
            details={"termination": list(Entrustment.Termination.values)},
        )
    contract_date = fields.get("contract_date")
    if contract_date is not None and not isinstance(contract_date, datetime.date):
        raise ApplicationError(_("The contract date is not a date."), code="invalid_date")
    if upload is not None:
        validate_attachment(upload)
    record = Entrustment.objects.select_for_update().filter(organization=organization).first()
    if record is None:
        record = Entrustment(organization=organization)
    changed = []
    for name, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    details = {"fields": changed}
    if upload is not None:
        record.document_sha256 = file_sha256(upload)
        record.document_name = upload.name.rsplit("/", 1)[-1][:200]
        record.document.save(record.document_name[:100], upload, save=False)
        details["document_sha256"] = record.document_sha256
        changed.append("document")
    record.updated_by_label = actor.label[:200]
    record.save()
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="entrustment.saved",
        target_type="entrustment",
        target_id=record.pk,
        details=details,
    )
    return record


def entrustment_document_open(*, record: Entrustment, actor: Actor):
    """Return (file handle, file name, media type) of the signed contract; audit the read."""
    if not record.document:
        raise NotFound(_("No contract document is stored."), code="not_found")
    filename = record.document.name.rsplit("/", 1)[-1]
    try:
        handle = record.document.open("rb")
    except FileNotFoundError:  # the row names a file the storage lost: say so, not a 500
        raise NotFound(_("No contract document is stored.")) from None
    audit_record(
        organization_id=record.organization_id,
        actor=actor,
        action="entrustment.document_downloaded",
        target_type="entrustment",
        target_id=record.pk,
        details={"sha256": record.document_sha256},
    )
    return handle, filename, attachment_media_type(filename)
