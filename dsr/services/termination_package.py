"""The package an entrustment's "return" hands to the organization (R51), and its removal.

One ZIP: manifest.json (the organization, the contract, what the package holds), one access
package per subject (dsr's own, the same the person gets: profile, consents with history and
receipts, biometric metadata, requests, audit rows with proofs), the raw images still held
(decrypted: the organization is their controller), and complaints. Face templates are not
returned: they are only usable by this portal's matcher and model version, and the
organization can enroll again from the raw images or new photos (the portal's position since
R45, dsr.services.export).
"""

import hashlib
import io
import json
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from consent.models import Subject
from dsr.models import TerminationRun
from dsr.services.export import package_json, subject_package
from governance.models import Complaint
from recognition.crypto import DecryptionFailed
from recognition.models import RawImage
from recognition.services.enrollment import raw_image_read
from tenants.errors import Conflict, NotFound

PACKAGE_FORMAT = "faceconsent-termination-return/1"


def _complaints(organization) -> list[dict]:
    return [
        {
            "deployment": c.deployment.name,
            "state": c.state,
            "message": c.message,
            "contact_name": c.contact_name,
            "contact_email": c.contact_email,
            "received_at": c.received_at.isoformat(),
            "answer": c.answer,
            "answered_at": c.answered_at.isoformat() if c.answered_at else None,
        }
        for c in Complaint.objects.for_org(organization).select_related("deployment")
    ]


def _raw_images(archive: zipfile.ZipFile, subject: Subject) -> tuple[int, int]:
    """Write the subject's raw images; return (written, unreadable)."""
    written = unreadable = 0
    images = RawImage.objects.filter(subject=subject).select_related("enrollment", "subject")
    for image in images:
        try:
            data = raw_image_read(raw_image=image)
        except (FileNotFoundError, DecryptionFailed):
            # Its key was destroyed (an earlier erasure) or the file is gone: nothing to return.
            unreadable += 1
            continue
        archive.writestr(f"raw_images/{subject.pseudonym}/{image.pk}.jpg", data)
        written += 1
    return written, unreadable


def termination_package_build(*, run: TerminationRun, counts: list[dict]) -> dict:
    """Write the return package of the run's organization to storage; return its summary.

    Idempotent: a package already written (a resumed run) is kept, not built twice.
    """
    if run.package:
        return {"sha256": run.package_sha256, "bytes": run.package_bytes, "reused": True}
    org = run.organization
    buffer = io.BytesIO()
    subjects = raw = unreadable = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for subject in Subject.objects.filter(organization=org).order_by("pk").iterator():
            archive.writestr(
                f"subjects/{subject.pseudonym}.json", package_json(subject_package(subject=subject))
            )
            written, lost = _raw_images(archive, subject)
            subjects, raw, unreadable = subjects + 1, raw + written, unreadable + lost
        archive.writestr(
            "complaints.json", json.dumps(_complaints(org), ensure_ascii=False, indent=1)
        )
        manifest = {
            "format": PACKAGE_FORMAT,
            "generated_at": timezone.now().isoformat(),
            "organization": {"name": org.name, "slug": org.slug},
            "contract_reference": run.contract_reference,
            "subjects": subjects,
            "raw_images": raw,
            "raw_images_unreadable": unreadable,
            "counts": counts,
            "not_included": {
                "face_templates": "usable only by this portal's matcher; enroll again instead"
            },
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    name = f"{org.slug}-termination-{run.pk}.zip"
    run.package.save(name, ContentFile(data), save=False)
    run.package_sha256, run.package_bytes = digest, len(data)
    run.save(update_fields=["package", "package_sha256", "package_bytes"])
    return {
        "sha256": digest,
        "bytes": len(data),
        "subjects": subjects,
        "raw_images": raw,
        "raw_images_unreadable": unreadable,
    }


def termination_package_open(*, run: TerminationRun, actor: Actor):
    """Return (file handle, file name) of the return package; audit the download.

    Raise NotFound when the run has none (a "delete" run, or the package was removed).
    """
    if not run.package or run.package_deleted_at is not None:
        raise NotFound(_("This termination run has no package to download."), code="no_package")
    try:
        handle = run.package.open("rb")
    except FileNotFoundError:
        raise NotFound(_("The package file is missing."), code="no_package") from None
    audit_record(
        organization_id=run.organization_id,
        actor=actor,
        action="termination.package_downloaded",
        target_type="termination_run",
        target_id=run.pk,
        details={"sha256": run.package_sha256},
    )
    return handle, run.package.name.rsplit("/", 1)[-1]


def termination_package_delete(*, run: TerminationRun, actor: Actor) -> TerminationRun:
    """Delete the return package once the organization confirms it received it; audit it.

    Until then the portal still holds a copy of everything (R51 stays unmet). Raise Conflict
    before the run finished, NotFound when there is no package.
    """
    with transaction.atomic():
        run = TerminationRun.objects.select_for_update().get(pk=run.pk)
        if not run.is_finished:
            raise Conflict(_("The run has not finished."), code="not_finished")
        if not run.package or run.package_deleted_at is not None:
            raise NotFound(_("This termination run has no package to delete."), code="no_package")
        _package_remove(run, actor, action="termination.package_deleted")
    return run


def termination_packages_expire(*, now=None) -> int:
    """Delete the return packages left uncollected past their keeping time; return how many.

    The daily beat's work (dsr.expire_termination_packages). A package is a copy of every
    subject's data and raw images: kept only DSR_TERMINATION_PACKAGE_KEEP_DAYS after the run
    finished, whether or not anyone confirmed its receipt. Idempotent: a deleted package is
    skipped, and each run is locked so a confirmation at the same moment deletes it once.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DSR_TERMINATION_PACKAGE_KEEP_DAYS)
    due = (
        TerminationRun.objects.exclude(package="")
        .filter(package_deleted_at__isnull=True, finished_at__lte=cutoff)
        .values_list("pk", flat=True)
    )
    actor = Actor.system("termination package expiry")
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            run = TerminationRun.objects.select_for_update().get(pk=pk)
            if not run.package or run.package_deleted_at is not None:
                continue
            _package_remove(run, actor, action="termination.package_expired")
            expired += 1
    return expired


def _package_remove(run: TerminationRun, actor: Actor, *, action: str) -> None:
    """Blank the package on the locked run, audit it, delete the file after the commit."""
    name = run.package.name
    run.package = ""
    run.package_deleted_at = timezone.now()
    run.save(update_fields=["package", "package_deleted_at"])
    audit_record(
        organization_id=run.organization_id,
        actor=actor,
        action=action,
        target_type="termination_run",
        target_id=run.pk,
        details={"sha256": run.package_sha256, "bytes": run.package_bytes},
    )
    storage = TerminationRun._meta.get_field("package").storage
    transaction.on_commit(lambda: storage.delete(name))
