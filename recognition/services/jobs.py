"""Recognition jobs: create (checked, probes encrypted), run (detect, match), fail, sweep.

A job reaches a worker through the outbox (dispatch.py) and may be delivered twice (acks_late,
a killed worker, the reclaim of an expired lease): every step is resumable. Images already
encoded are skipped, results are unique per (job, image, face), and a lease on the job row,
renewed while it runs (leases.py), keeps two live workers from running the same job at once.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from governance.gates import deployment_processing_check
from governance.models import DeploymentPurpose
from governance.residency import deployment_transfer_allowed
from governance.selectors import deployment_is_active, purpose_version_current
from recognition import crypto, engine
from recognition.blobs import blob_delete, blob_read, blob_write
from recognition.errors import JobRefused
from recognition.intake import ImageRejected, accept_image
from recognition.models import ProbeFace, ProbeImage, RecognitionJob
from recognition.services.calibrations import capacity_check
from recognition.services.dispatch import work_dispatch_record
from recognition.services.job_outcomes import (
    job_probes_delete,
    probe_face_aad,
    recognition_job_fail,
)
from recognition.services.keys import probe_key, probe_key_new
from recognition.services.leases import (
    lease_length,
    work_lease_heartbeat,
    work_lease_held,
    work_lease_take,
)
from recognition.services.previews import preview_seal, previews_expired_delete
from recognition.services.quotas import active_work_claim, uploads_admit
from recognition.services.results import job_match
from tenants.errors import ApplicationError, Forbidden, RuleViolation
from tenants.roles import RUN_JOB

MAX_IMAGES = 20
# R41: the only job types that exist. Anything else (age, gender, emotion, ethnicity...) is
# refused by name at the API, before any image is read.
ALLOWED_MODES = frozenset(RecognitionJob.Mode.values)


def _probe_aad(job: RecognitionJob, index: int) -> bytes:
    return crypto.owner_aad(
        org=job.organization_id, job=str(job.public_id), image=index, kind="probe"
    )


def _shard_count() -> int:
    return max(1, int(getattr(settings, "RECOGNITION_SHARDS", 1)))


def recognition_job_check(*, organization, deployment, purpose, mode: str, user=None) -> None:
    """Raise unless a job of ``mode`` may run on the deployment for the purpose now.

    R2, R41; R27 and R29: ProcessingSuspended (422) while the deployment's impact assessment
    is stale or missing, or it has no purpose left; the worker asks again before it runs. R26:
    TransferRefused (422) while a site that matches abroad has no transfer basis in force.
    """
    if mode not in ALLOWED_MODES:
        raise ApplicationError(
            f"Job type {mode!r} does not exist: only identify, verify and detect are offered; "
            "attribute or demographic inference is never performed (R41).",
            code="job_type_not_allowed",
        )
    if deployment.organization_id != organization.pk or purpose.organization_id != organization.pk:
        raise JobRefused("The deployment and purpose belong to another organization.")
    if user is not None and not user.has_perm(RUN_JOB, deployment):
        raise Forbidden("You may not run jobs on this deployment.")
    if not deployment_is_active(deployment=deployment):
        raise JobRefused("The deployment is not active.", code="deployment_inactive")
    deployment_processing_check(deployment=deployment)
    deployment_transfer_allowed(deployment=deployment)
    if not DeploymentPurpose.objects.filter(deployment=deployment, purpose=purpose).exists():
        raise JobRefused(
            "This purpose is not declared for the deployment (R2).", code="purpose_not_attached"
        )
    if purpose.current_version_id is None:
        raise JobRefused("The purpose has no current version.", code="purpose_inactive")
    if mode == RecognitionJob.Mode.IDENTIFY:
        # R54: no 1:N search where the gallery cannot reach the declared rate.
        capacity_check(purpose=purpose)


def recognition_job_create(
    *,
    organization,
    deployment,
    purpose,
    mode: str,
    images: list[tuple[bytes, str | None]],
    actor: Actor,
    user=None,
    claimed_subject=None,
) -> RecognitionJob:
    """Check, store each image encrypted under a fresh job key and queue the job (outbox).

    ``images`` holds (bytes, content type) pairs. Raise ApplicationError subclasses on refusal;
    nothing is stored then.
    """
    recognition_job_check(
        organization=organization, deployment=deployment, purpose=purpose, mode=mode, user=user
    )
    if not images:
        raise ApplicationError("Send at least one image.", code="no_images")
    if len(images) > MAX_IMAGES:
        raise ApplicationError(f"At most {MAX_IMAGES} images per job.", code="too_many_images")
    if mode == RecognitionJob.Mode.VERIFY:
        if claimed_subject is None:
            raise ApplicationError(
                "Verify needs the claimed subject.", code="claimed_subject_required"
            )
        if claimed_subject.organization_id != organization.pk:
            raise JobRefused("The claimed subject belongs to another organization.")
    elif claimed_subject is not None:
        raise ApplicationError("Only verify takes a claimed subject.", code="unexpected_subject")
    # Headers only: the worker decodes (issue 15). The request's budgets, the organization's cap.
    uploads_admit(organization=organization, work=RecognitionJob, images=images)
    version = purpose_version_current(purpose=purpose)
    job = RecognitionJob(
        organization=organization,
        deployment=deployment,
        purpose=purpose,
        purpose_version=version,
        mode=mode,
        claimed_subject=claimed_subject,
        match_threshold=version.match_threshold,
        declared_fpir=version.declared_fpir,
        needs_review=version.needs_human_review,
        images_total=len(images),
        shard_count=_shard_count(),
        actor_type=actor.kind,
        actor_id=str(actor.id or "")[:64],
        actor_label=actor.label[:200],
        created_by=user if user is not None and user.is_authenticated else None,
    )
    key, job.probe_key_wrapped = probe_key_new(
        organization_id=organization.pk, job_public_id=job.public_id
    )
    paths = []
    try:
        for index, (data, _type) in enumerate(images):
            sealed = crypto.encrypt(key, data, aad=_probe_aad(job, index))
            paths.append(blob_write(folder=f"probes/{organization.pk}", data=sealed))
        with transaction.atomic():
            active_work_claim(organization=organization, work=RecognitionJob)
            job.save()
            ProbeImage.objects.bulk_create(
                ProbeImage(job=job, index=i, path=path, size=len(images[i][0]))
                for i, path in enumerate(paths)
            )
            audit_record(
                organization_id=organization.pk,
                actor=actor,
                action="recognition.job_created",
                target_type="recognition_job",
                target_id=str(job.public_id),
                subject_pseudonym=str(claimed_subject.pseudonym) if claimed_subject else "",
                details={
                    "mode": mode,
                    "deployment_id": deployment.pk,
                    "purpose_id": purpose.pk,
                    "purpose_version": version.version,
                    "image_count": len(images),
                },
            )
            # Handed to a worker after the commit, or by the outbox's beat while the broker is
            # down: the request answers 202 either way.
            work_dispatch_record(work=job)
    except BaseException:
        for path in paths:
            blob_delete(path)
        raise
    return job


def job_lease_acquire(*, job: RecognitionJob, worker: str) -> bool:
    """Take (or renew) the job for ``worker``; return False while another worker's lease lives."""
    return work_lease_take(work=job, worker=worker)


def job_lease_remaining(*, job: RecognitionJob) -> float:
    if job.lease_until is None:
        return 0.0
    return max(0.0, (job.lease_until - timezone.now()).total_seconds())


def job_detect_image(*, job: RecognitionJob, probe: ProbeImage, worker: str) -> int:
    """Detect (and encode) the faces of one probe image; store them; delete the image.

    Keeps only a small encrypted preview for the job page (services/previews.py). Return the
    number of faces. A probe already encoded is skipped (redelivery).
    """
    key = probe_key(job=job)
    image = crypto.decrypt(key, blob_read(probe.path), aad=_probe_aad(job, probe.index))
    pixels = accept_image(image).pixels
    del image
    if job.mode == RecognitionJob.Mode.DETECT:
        # Detect mode computes no template at all: boxes only.
        found = [(box, None) for box in engine.detect(pixels)]
    else:
        found = [(face.box, face.encoding) for face in engine.detect_and_encode(pixels)]
    preview = preview_seal(job=job, index=probe.index, pixels=pixels)
    del pixels
    path = probe.path
    try:
        return _detected_store(
            job=job, probe=probe, key=key, found=found, path=path, preview=preview
        )
    except BaseException:
        preview.discard()
        raise


def _detected_store(*, job, probe, key, found, path, preview) -> int:
    with transaction.atomic():
        locked = ProbeImage.objects.select_for_update().get(pk=probe.pk)
        if locked.encoded_at is not None:
            # A redelivered copy: the first one's preview stands, this one's goes.
            transaction.on_commit(preview.discard)
            return locked.faces or 0
        ProbeFace.objects.bulk_create(
            [
                ProbeFace(
                    job=job,
                    image_index=probe.index,
                    face_index=i,
                    box=list(box),
                    ciphertext=b""
                    if encoding is None
                    else crypto.encrypt_template(
                        key, encoding, aad=probe_face_aad(job, probe.index, i)
                    ),
                )
                for i, (box, encoding) in enumerate(found)
            ],
            ignore_conflicts=True,
        )
        now = timezone.now()
        locked.faces, locked.encoded_at, locked.deleted_at, locked.path = len(found), now, now, ""
        for name, value in preview.fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=["faces", "encoded_at", "deleted_at", "path", *preview.fields])
        RecognitionJob.objects.filter(pk=job.pk).update(
            images_done=F("images_done") + 1,
            faces_found=F("faces_found") + len(found),
            phase=RecognitionJob.Phase.DETECTING,
            lease_until=now + lease_length(),
        )
        # Probe images are held only until processed: the file goes with the commit.
        transaction.on_commit(lambda: blob_delete(path))
    return len(found)


def probes_sweep(*, now=None) -> dict:
    """Delete the probes of failed jobs, previews past their time, and fail jobs stuck past
    RECOGNITION_JOB_MAX_AGE.

    Also deletes enrollment uploads left behind by finished or stuck enrollments. Periodic.
    """
    from recognition.models import Enrollment
    from recognition.services.enrollment import _fail as enrollment_fail

    now = now or timezone.now()
    max_age = timedelta(seconds=int(getattr(settings, "RECOGNITION_JOB_MAX_AGE_SECONDS", 6 * 3600)))
    counts = {
        "jobs_timed_out": 0,
        "probe_files_deleted": 0,
        "enrollment_uploads_deleted": 0,
        # R21, R24: a job's previews go once RECOGNITION_JOB_PREVIEW_SECONDS have passed.
        "previews_expired": previews_expired_delete(now=now),
    }
    stale = RecognitionJob.objects.filter(
        status__in=[RecognitionJob.Status.QUEUED, RecognitionJob.Status.RUNNING],
        created_at__lt=now - max_age,
    )
    for job in stale:
        recognition_job_fail(job=job, code="timed_out", message="The job did not finish in time.")
        counts["jobs_timed_out"] += 1
    failed = RecognitionJob.objects.filter(
        Q(status=RecognitionJob.Status.FAILED)
        & (Q(probes__path__gt="") | Q(probe_key_wrapped__isnull=False))
    ).distinct()
    for job in failed:
        counts["probe_files_deleted"] += job_probes_delete(job=job)
    actor = Actor.system("probe sweeper")
    for enrollment in Enrollment.objects.filter(
        status__in=[Enrollment.Status.QUEUED, Enrollment.Status.RUNNING],
        created_at__lt=now - max_age,
    ):
        enrollment_fail(enrollment, "timed_out", "The enrollment did not finish in time.", actor)
        counts["enrollment_uploads_deleted"] += 1
    for enrollment in Enrollment.objects.filter(
        status__in=[Enrollment.Status.SUCCEEDED, Enrollment.Status.FAILED]
    ).exclude(pending_path=""):
        blob_delete(enrollment.pending_path)
        Enrollment.objects.filter(pk=enrollment.pk).update(pending_path="")
        counts["enrollment_uploads_deleted"] += 1
    return counts


def recognition_job_run(*, organization_id: int, job_id: int, worker: str) -> tuple[str, float]:
    """Run (or resume) a job: detect every image not yet done, then match and write results.

    Return ("done", 0) when the job is finished or gone, ("sharded", 0) when shard tasks took
    over the matching, or ("busy", seconds) while another live worker holds the job's lease.
    """
    job = RecognitionJob.objects.filter(pk=job_id, organization_id=organization_id).first()
    if job is None or job.is_finished:
        return "done", 0.0
    if not job_lease_acquire(job=job, worker=worker):
        job.refresh_from_db()
        return ("done", 0.0) if job.is_finished else ("busy", job_lease_remaining(job=job))
    job.refresh_from_db()
    # The heartbeat keeps the lease alive through a long image or search; a redelivered copy of
    # this job's message meanwhile finds it held and does nothing.
    with work_lease_heartbeat(work=job, worker=worker):
        return _job_run_held(job=job, worker=worker)


def _job_run_held(*, job: RecognitionJob, worker: str) -> tuple[str, float]:
    # R2: the deployment may have been suspended since the job was queued.
    if not deployment_is_active(deployment=job.deployment):
        recognition_job_fail(
            job=job, code="deployment_inactive", message="The deployment is no longer active."
        )
        return "done", 0.0
    # R29, R27, R2: a job queued before its deployment's assessment went stale (or its last
    # purpose was detached) does not run after; checked on every (re)delivery.
    try:
        deployment_processing_check(deployment=job.deployment)
    except RuleViolation as exc:
        recognition_job_fail(job=job, code=exc.code, message=exc.message)
        return "done", 0.0
    for probe in ProbeImage.objects.filter(job=job, encoded_at__isnull=True).order_by("index"):
        if not work_lease_held(work=job, worker=worker):
            # Taken over while this worker stalled past its lease: the new holder carries on.
            return "busy", job_lease_remaining(job=job)
        try:
            job_detect_image(job=job, probe=probe, worker=worker)
        except (FileNotFoundError, crypto.DecryptionFailed, ImageRejected):
            recognition_job_fail(
                job=job, code="probe_unreadable", message="A probe image could not be read."
            )
            return "done", 0.0
    if not work_lease_held(work=job, worker=worker):
        return "busy", job_lease_remaining(job=job)
    RecognitionJob.objects.filter(pk=job.pk).update(phase=RecognitionJob.Phase.MATCHING)
    return job_match(job=job)
