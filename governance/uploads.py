"""Checks on uploaded files before they are stored: type, size, a digest for the record."""

import hashlib

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from tenants.errors import ApplicationError

SIGNAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
# Each allowed attachment type with the media type its download is served as; the API schema
# lists the same values, so what it documents is what the endpoint answers (issue 15, fuzzing).
ATTACHMENT_MEDIA_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    # OFD (GB/T 33190, China's fixed-layout format) has no registered media type.
    "ofd": "application/octet-stream",
    "zip": "application/zip",
}
ATTACHMENT_EXTENSIONS = set(ATTACHMENT_MEDIA_TYPES)
DEFAULT_MEDIA_TYPE = "application/octet-stream"


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


def attachment_media_type(name: str) -> str:
    """Return the media type an attachment named ``name`` is served as (by its extension)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ATTACHMENT_MEDIA_TYPES.get(extension, DEFAULT_MEDIA_TYPE)


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
