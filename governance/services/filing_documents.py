"""The sealed scans of a filing (R38): store them typed by kind, serve them audited, say what
the authority still lacks."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.models import Filing, FilingDocument
from governance.uploads import attachment_media_type, file_sha256, validate_attachment
from tenants.errors import ApplicationError


def _audit(document: FilingDocument, actor: Actor, action: str, **details) -> None:
    audit_record(
        organization_id=document.organization_id,
        actor=actor,
        action=action,
        target_type="filing_document",
        target_id=document.pk,
        details={"filing_id": document.filing_id, "kind": document.kind, **details},
    )


@transaction.atomic
def filing_document_add(
    *, filing: Filing, actor: Actor, kind: str, upload, name: str = ""
) -> FilingDocument:
    """Store a sealed scan for ``filing`` with its digest; audit it.

    Raise ApplicationError for an unknown kind, a bad file (governance.uploads), or a filing
    that was cancelled.
    """
    if kind not in FilingDocument.Kind.values:
        raise ApplicationError(
            _("Choose what the document is."),
            code="invalid_kind",
            details={"kinds": list(FilingDocument.Kind.values)},
        )
    if filing.status == Filing.Status.CANCELLED:
        raise ApplicationError(_("This filing was cancelled."), code="cancelled")
    validate_attachment(upload)
    sha256 = file_sha256(upload)
    document = FilingDocument(
        organization_id=filing.organization_id,
        filing=filing,
        kind=kind,
        name=(name or upload.name).strip()[:200],
        size=upload.size,
        sha256=sha256,
        uploaded_by_label=actor.label[:200],
    )
    document.file.save(upload.name.rsplit("/", 1)[-1][:100], upload, save=False)
    document.save()
    _audit(document, actor, "filing_document.added", name=document.name, sha256=sha256)
    return document


def filing_document_open(*, document: FilingDocument, actor: Actor):
    """Return (file handle, file name, media type) of a sealed scan and audit the read.

    The scans carry identity documents (legal representative, handler): every read is logged.
    """
    filename = document.file.name.rsplit("/", 1)[-1]
    handle = document.file.open("rb")
    _audit(document, actor, "filing_document.downloaded")
    return handle, filename, attachment_media_type(filename)
