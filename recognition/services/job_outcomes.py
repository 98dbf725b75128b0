"""What a recognition job holds and how it ends: its actor, its probe faces, their deletion,
and failure. Shared by the job runner (jobs) and the result writer (results), which therefore
never import each other's internals.
"""

import numpy as np
from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from recognition import crypto
from recognition.blobs import blob_delete
from recognition.models import ProbeFace, ProbeImage, RecognitionJob, ShardResult
from recognition.services.keys import probe_key
from recognition.services.previews import job_previews_delete
from recognition.services.webhooks import webhook_job_finished


def probe_face_aad(job: RecognitionJob, image_index: int, face_index: int) -> bytes:
    return crypto.owner_aad(
        org=job.organization_id,
        job=str(job.public_id),
        image=image_index,
        face=face_index,
        kind="probe_face",
    )


def job_actor(job: RecognitionJob) -> Actor:
    """Return the person or key that asked for the job: the audit trail's 'who' for its results."""
    return Actor(kind=job.actor_type, id=job.actor_id, label=job.actor_label)


def job_probe_faces(*, job: RecognitionJob) -> tuple[list[ProbeFace], np.ndarray]:
    """Return the job's probe faces in order and their decrypted templates (worker memory)."""
    faces = list(ProbeFace.objects.filter(job=job).order_by("image_index", "face_index"))
    if job.mode == RecognitionJob.Mode.DETECT or not faces:
        return faces, np.empty((0, 128), dtype=np.float32)
    key = probe_key(job=job)
    vectors = [
        crypto.decrypt_template(
            key, bytes(f.ciphertext), aad=probe_face_aad(job, f.image_index, f.face_index)
        )
        for f in faces
    ]
    return faces, np.stack(vectors)


def job_probes_delete(*, job: RecognitionJob) -> int:
    """Delete whatever probe data the job still holds: files, probe faces, shard answers, key.

    Return the number of image files deleted. Used on success, failure and by the sweeper.
    """
    deleted = 0
    with transaction.atomic():
        probes = list(ProbeImage.objects.select_for_update().filter(job=job).exclude(path=""))
        paths = [p.path for p in probes]
        ProbeImage.objects.filter(pk__in=[p.pk for p in probes]).update(
            path="", deleted_at=timezone.now()
        )
        ProbeFace.objects.filter(job=job).delete()
        ShardResult.objects.filter(job=job).delete()
        RecognitionJob.objects.filter(pk=job.pk).update(probe_key_wrapped=None)
        transaction.on_commit(lambda: [blob_delete(path) for path in paths])
        deleted = len(paths)
    return deleted


def recognition_job_fail(*, job: RecognitionJob, code: str, message: str) -> RecognitionJob:
    """Mark the job failed, delete its probes and previews, audit it and fire the webhook."""
    with transaction.atomic():
        job = RecognitionJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            return job
        job.status, job.phase = RecognitionJob.Status.FAILED, RecognitionJob.Phase.DONE
        job.error_code, job.error_message = code, message[:300]
        job.finished_at = timezone.now()
        job.lease_until = None
        job.save()
        job_probes_delete(job=job)
        # A failed job has no results to draw on its photos: nothing justifies keeping them.
        job_previews_delete(job=job)
        audit_record(
            organization_id=job.organization_id,
            actor=job_actor(job),
            action="recognition.job_failed",
            target_type="recognition_job",
            target_id=str(job.public_id),
            details={
                "error_code": code,
                "deployment_id": job.deployment_id,
                "purpose_id": job.purpose_id,
                "mode": job.mode,
            },
        )
        webhook_job_finished(job=job)
    return job
