"""Job previews: a small copy of each probe photo so the job page can draw its boxes on it.

R21 and R24 keep face images no longer than needed: the probe itself is deleted once encoded,
and its preview lives only as long as the job's results are being looked at, at most
RECOGNITION_JOB_PREVIEW_SECONDS (24 hours by default). It is deleted with the job (failure,
the entrustment's end) and by the hourly probe sweep once its time is up; until the sweep runs,
an expired preview is never served.

Made on the worker from the pixels it has decoded anyway (issue 15: web threads decode nothing):
longest side PREVIEW_SIDE, JPEG at PREVIEW_QUALITY, no metadata (the pixels are re-encoded, so
no EXIF survives). Sealed with AES-GCM under a fresh key wrapped under the organization key,
as subject data keys are: deleting the row's wrapped key shreds any copy of the file.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image

from audit.actors import Actor
from audit.services import audit_record
from recognition import crypto
from recognition.blobs import blob_delete, blob_read, blob_write
from recognition.models import ProbeImage, RecognitionJob
from recognition.services.keys import organization_key, preview_key_aad

PREVIEW_SIDE = 480
PREVIEW_QUALITY = 70
PREVIEW_FIELDS = (
    "preview_path",
    "preview_key_wrapped",
    "preview_width",
    "preview_height",
    "preview_scale",
    "preview_until",
)


def preview_seconds() -> int:
    return int(getattr(settings, "RECOGNITION_JOB_PREVIEW_SECONDS", 24 * 3600))


def _preview_aad(job: RecognitionJob, index: int) -> bytes:
    return crypto.owner_aad(
        org=job.organization_id, job=str(job.public_id), image=index, kind="preview"
    )


def preview_jpeg(pixels: np.ndarray) -> tuple[bytes, int, int, float]:
    """Return (JPEG bytes, width, height, scale) of an RGB array shrunk to PREVIEW_SIDE."""
    height, width = pixels.shape[:2]
    scale = min(1.0, PREVIEW_SIDE / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = Image.fromarray(np.ascontiguousarray(pixels[:, :, :3]), "RGB")
    if size != (width, height):
        image = image.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # A fresh image from pixels carries no EXIF, ICC or comment to leak.
    image.save(buffer, "JPEG", quality=PREVIEW_QUALITY, optimize=True)
    return buffer.getvalue(), size[0], size[1], size[0] / width


@dataclass(frozen=True)
class SealedPreview:
    """A preview written to disk, not yet recorded: the fields for its probe row."""

    fields: dict

    def discard(self) -> None:
        blob_delete(self.fields["preview_path"])


def preview_seal(*, job: RecognitionJob, index: int, pixels: np.ndarray) -> SealedPreview:
    """Encode, encrypt and write the preview of one probe (worker only)."""
    data, width, height, scale = preview_jpeg(pixels)
    _row, org_key = organization_key(organization_id=job.organization_id)
    key = crypto.generate_key()
    sealed = crypto.encrypt(key, data, aad=_preview_aad(job, index))
    del data
    path = blob_write(folder=f"previews/{job.organization_id}", data=sealed)
    return SealedPreview(
        {
            "preview_path": path,
            "preview_key_wrapped": crypto.wrap_key(
                org_key, key, aad=preview_key_aad(job.organization_id, job.public_id, index)
            ),
            "preview_width": width,
            "preview_height": height,
            "preview_scale": scale,
            "preview_until": timezone.now() + timedelta(seconds=preview_seconds()),
        }
    )


def preview_live(probe: ProbeImage, now=None) -> bool:
    """Return True while the probe's preview exists and its time is not up."""
    now = now or timezone.now()
    return (
        bool(probe.preview_path) and probe.preview_until is not None and probe.preview_until > now
    )


def _preview_bytes(job: RecognitionJob, probe: ProbeImage) -> bytes | None:
    if not preview_live(probe) or probe.preview_key_wrapped is None:
        return None
    try:
        _row, org_key = organization_key(organization_id=job.organization_id)
        key = crypto.unwrap_key(
            org_key,
            bytes(probe.preview_key_wrapped),
            aad=preview_key_aad(job.organization_id, job.public_id, probe.index),
        )
        return crypto.decrypt(
            key, blob_read(probe.preview_path), aad=_preview_aad(job, probe.index)
        )
    except (FileNotFoundError, crypto.DecryptionFailed):
        return None


def job_preview_open(*, job: RecognitionJob, index: int, actor: Actor) -> bytes | None:
    """Return one probe's preview JPEG and audit the viewing, or None when it is gone.

    The caller has checked that the viewer may see the job's results (VIEW_RESULTS).
    """
    probe = ProbeImage.objects.filter(job=job, index=index).first()
    data = _preview_bytes(job, probe) if probe is not None else None
    if data is None:
        return None
    audit_record(
        organization_id=job.organization_id,
        actor=actor,
        action="recognition.job_preview_viewed",
        target_type="recognition_job",
        target_id=str(job.public_id),
        details={"image_number": index + 1, "deployment_id": job.deployment_id},
    )
    return data


def _clear(probes) -> int:
    """Blank the probes' preview fields now and delete their files once that commits."""
    with transaction.atomic():
        rows = list(
            ProbeImage.objects.select_for_update().filter(pk__in=probes).exclude(preview_path="")
        )
        paths = [row.preview_path for row in rows]
        ProbeImage.objects.filter(pk__in=[row.pk for row in rows]).update(
            preview_path="",
            preview_key_wrapped=None,
            preview_until=None,
        )
        transaction.on_commit(lambda: [blob_delete(path) for path in paths])
    return len(paths)


def job_previews_delete(*, job: RecognitionJob) -> int:
    """Delete the job's previews (its failure, the entrustment's end); return how many."""
    return _clear(ProbeImage.objects.filter(job=job).values("pk"))


def previews_expired_delete(*, now=None) -> int:
    """Delete every preview whose time is up (periodic, with the probe sweep)."""
    now = now or timezone.now()
    return _clear(ProbeImage.objects.filter(preview_until__lte=now).values("pk"))


def job_previews_live(*, job: RecognitionJob) -> list[ProbeImage]:
    """Return the job's probes whose preview may still be shown, in image order."""
    now = timezone.now()
    return [
        probe
        for probe in ProbeImage.objects.filter(job=job, preview_until__gt=now).order_by("index")
        if preview_live(probe, now)
    ]
