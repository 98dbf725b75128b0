"""Checks on uploaded files before they are stored: type, size, a digest for the record."""

import hashlib

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from tenants.errors import ApplicationError

SIGNAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
ATTACHMENT_EXTENSIONS = {
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "txt",
    "md",
    "csv",
    "docx",
    "xlsx",
    "odt",
    "ofd",
    "zip",
}


def _max_bytes(name: str, default: int) -> int:
    return getattr(settings, name, default)


def file_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def validate_signage_photo(upload) -> None:
    """Raise ApplicationError unless ``upload`` is a JPEG, PNG or WebP image within the limit."""
    limit = _max_bytes("GOVERNANCE_SIGNAGE_MAX_BYTES", 8 * 1024 * 1024)
    if upload is None or not upload.size:
        raise ApplicationError(_("Upload a photo of the signage."), code="invalid_file")
    if upload.size > limit:
        raise ApplicationError(
            _("The signage photo is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            code="file_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ApplicationError(
            _("The signage photo is not a readable image."), code="invalid_file"
        ) from None
    finally:
        upload.seek(0)
    if kind not in SIGNAGE_FORMATS:
        raise ApplicationError(
            _("The signage photo must be a JPEG, PNG or WebP image."), code="invalid_file"
        )


def validate_attachment(upload) -> None:
    """Raise ApplicationError unless ``upload`` is a non-empty document of an allowed type."""
    limit = _max_bytes("GOVERNANCE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
    if upload is None or not upload.size:
        raise ApplicationError(_("The attachment is empty."), code="invalid_file")
    if upload.size > limit:
        raise ApplicationError(
            _("The attachment is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            code="file_too_large",
        )
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ATTACHMENT_EXTENSIONS:
        raise ApplicationError(
            _("Attachments must be one of: %(types)s.")
            % {"types": ", ".join(sorted(ATTACHMENT_EXTENSIONS))},
            code="invalid_file",
        )
