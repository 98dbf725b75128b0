"""Recognition jobs, their encrypted probes, shard answers and results."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recognition.models.work import PurposeBoundWork
from recognition.querysets import ProbeQuerySet, ResultQuerySet


class RecognitionJob(PurposeBoundWork):
    """One request to detect, identify or verify faces in one or more images."""

    class Mode(models.TextChoices):
        # R41: an allow-list. Attribute or demographic inference has no mode and never will.
        IDENTIFY = "identify", _("Identify (1:N)")
        VERIFY = "verify", _("Verify (1:1)")
        DETECT = "detect", _("Detect faces only")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Phase(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        DETECTING = "detecting", _("Detecting faces")
        MATCHING = "matching", _("Matching")
        DONE = "done", _("Done")

    mode = models.CharField(max_length=10, choices=Mode)
    claimed_subject = models.ForeignKey(
        "consent.Subject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Snapshots of the purpose version, so a job's answer does not change while it runs.
    # match_threshold is 1:1 verification's; 1:N answers come from the pinned calibration.
    match_threshold = models.FloatField()
    declared_fpir = models.FloatField(null=True, blank=True)
    # R54: the operating point this job's 1:N answers were decided at, pinned when it matched.
    calibration = models.ForeignKey(
        "recognition.GalleryCalibration",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
    )
    needs_review = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    phase = models.CharField(max_length=10, choices=Phase, default=Phase.WAITING)
    images_total = models.PositiveIntegerField(default=0)
    images_done = models.PositiveIntegerField(default=0)
    faces_found = models.PositiveIntegerField(default=0)
    matches = models.PositiveIntegerField(default=0)
    shard_count = models.PositiveSmallIntegerField(default=1)
    # The job's probe key, wrapped under the organization key; wiped when the probes go.
    probe_key_wrapped = models.BinaryField(null=True)
    # Which worker holds the job and until when: a redelivered copy waits out a live lease.
    worker = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Job lists per organization, newest first.
            models.Index(fields=["organization", "-created_at"], name="job_org_created"),
            # The probe sweeper: failed or stale jobs.
            models.Index(fields=["status", "created_at"], name="job_status_created"),
        ]

    def __str__(self) -> str:
        return f"job {self.public_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def progress(self) -> int:
        """Return 0-100: detection counts for 90, matching and writing for the rest."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.images_total:
            return 0
        return int(90 * self.images_done / self.images_total)


class ProbeImage(models.Model):
    """One uploaded image of a job, encrypted on disk until it is encoded, then deleted."""

    job = models.ForeignKey(RecognitionJob, on_delete=models.CASCADE, related_name="probes")
    index = models.PositiveIntegerField()
    path = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    faces = models.PositiveIntegerField(null=True, blank=True)
    encoded_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A small downscaled copy made by the worker so the job page can draw its boxes on the
    # photo (R21, R24: only until preview_until, then deleted; see services/previews.py). The
    # file is sealed under its own key, wrapped under the organization key and wiped with it.
    preview_path = models.CharField(max_length=300, blank=True)
    preview_key_wrapped = models.BinaryField(null=True)
    preview_width = models.PositiveIntegerField(null=True, blank=True)
    preview_height = models.PositiveIntegerField(null=True, blank=True)
    # Preview pixels per pixel of the decoded upload, to scale the faces' boxes onto it.
    preview_scale = models.FloatField(null=True, blank=True)
    preview_until = models.DateTimeField(null=True, blank=True)

    objects = ProbeQuerySet.as_manager()

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="probe_image_unique_index")
        ]
        indexes = [
            # The periodic purge of previews past their time.
            models.Index(
                fields=["preview_until"],
                condition=Q(preview_until__isnull=False),
                name="probe_preview_until",
            )
        ]

    def __str__(self) -> str:
        return f"probe {self.job_id}/{self.index}"


class ProbeFace(models.Model):
    """A face found in a probe: box and template encrypted under the job's probe key.

    Kept only between detection and result writing, so shards (other workers) can read the
    probes from the database instead of receiving biometric data over the broker.
    """

    job = models.ForeignKey(RecognitionJob, on_delete=models.CASCADE, related_name="probe_faces")
    image_index = models.PositiveIntegerField()
    face_index = models.PositiveIntegerField()
    box = models.JSONField()
    ciphertext = models.BinaryField()

    objects = ProbeQuerySet.as_manager()

    class Meta:
        ordering = ["job", "image_index", "face_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "image_index", "face_index"], name="probe_face_unique"
            )
        ]

    def __str__(self) -> str:
        return f"probe face {self.job_id}/{self.image_index}/{self.face_index}"


class ShardResult(models.Model):
    """One shard's best candidates for every probe face of a job (labels and distances only)."""

    job = models.ForeignKey(RecognitionJob, on_delete=models.CASCADE, related_name="shards")
    shard = models.PositiveSmallIntegerField()
    gallery_version = models.BigIntegerField()
    candidates = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProbeQuerySet.as_manager()

    class Meta:
        constraints = [
            # A redelivered shard task finds its answer already there.
            models.UniqueConstraint(fields=["job", "shard"], name="shard_result_unique")
        ]

    def __str__(self) -> str:
        return f"shard {self.shard} of job {self.job_id}"


class RecognitionResult(models.Model):
    """One face of one image: its box and a subject's pseudonym with distance, or unknown."""

    class Decision(models.TextChoices):
        NAMED = "named", _("Named")
        UNKNOWN = "unknown", _("Unknown")
        # Within the threshold but too close to a second identity to name either (R54).
        AMBIGUOUS = "ambiguous", _("Ambiguous")
        # Verification's answer, and detection (no comparison at all).
        VERIFIED = "verified", _("Verified")
        NOT_VERIFIED = "not_verified", _("Not verified")
        DETECTED = "detected", _("Face detected")

    class Review(models.TextChoices):
        NOT_REQUIRED = "not_required", _("Not required")
        PENDING = "pending", _("Awaiting human review")
        CONFIRMED = "confirmed", _("Confirmed by a reviewer")
        REJECTED = "rejected", _("Rejected by a reviewer")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    job = models.ForeignKey(RecognitionJob, on_delete=models.CASCADE, related_name="results")
    image_index = models.PositiveIntegerField()
    face_index = models.PositiveIntegerField()
    box = models.JSONField()
    subject = models.ForeignKey(
        "consent.Subject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_pseudonym = models.UUIDField(null=True, blank=True)
    distance = models.FloatField(null=True, blank=True)
    matched = models.BooleanField(default=False)
    decision = models.CharField(max_length=12, choices=Decision, blank=True, default="")
    # Distance of the nearest other identity minus the best one's: how clearly ahead it is.
    margin = models.FloatField(null=True, blank=True)
    # The calibration's estimate of the share of strangers named at this distance (R54).
    estimated_fpir = models.FloatField(null=True, blank=True)
    # For a reviewer only: the top consented candidates of an answer sent to review (R43).
    candidates = models.JSONField(default=list, blank=True)
    review_status = models.CharField(max_length=12, choices=Review, default=Review.NOT_REQUIRED)
    reviewed_by_label = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["job", "image_index", "face_index"]
        permissions = [("review_results", "Review results with significant effects (R43)")]
        constraints = [
            # A redelivered task writes each face once (idempotent results).
            models.UniqueConstraint(
                fields=["job", "image_index", "face_index"], name="result_unique_face"
            )
        ]
        indexes = [
            # The review queue: an organization's pending results.
            models.Index(
                fields=["organization", "created_at"],
                condition=Q(review_status="pending"),
                name="result_review_pending",
            ),
            # DSR summary: results naming a subject.
            models.Index(fields=["subject"], name="result_subject"),
        ]

    def __str__(self) -> str:
        return f"result {self.job_id}/{self.image_index}/{self.face_index}"
