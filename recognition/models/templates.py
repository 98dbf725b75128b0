"""Enrollments, the encrypted templates they produce, and raw images kept by separate consent."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from recognition.models.work import PurposeBoundWork
from recognition.querysets import OrgOwnedQuerySet


class Enrollment(PurposeBoundWork):
    """One enrollment request: a job that turns one photo into one template."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class TemplateState(models.TextChoices):
        # What became of the template this enrollment stored (R22: every deletion has a reason).
        NONE = "none", _("No template")
        STORED = "stored", _("Stored")
        PURGED_ON_WITHDRAWAL = "purged_on_withdrawal", _("Purged on withdrawal")
        PURGED_CONSENT_ENDED = "purged_consent_ended", _("Purged: consent ended")
        EXPIRED = "expired", _("Expired (retention)")
        ERASED = "erased", _("Erased")
        REPLACED = "replaced", _("Replaced by re-enrollment")
        # R19: the deployment moved to on-device storage; R23: BIPA's destruction schedule.
        PURGED_STORAGE_ON_DEVICE = "purged_storage_on_device", _("Purged: storage moved to device")
        DESTROYED_BIPA = "destroyed_bipa", _("Destroyed: BIPA schedule")
        # The operator's system deleted the example (the CompreFace-compatible API).
        DELETED_BY_OPERATOR = "deleted_by_operator", _("Deleted by the operator's system")
        # Removed before the reason was recorded on the enrollment (older rows).
        REMOVED = "removed", _("Removed")

    subject = models.ForeignKey("consent.Subject", on_delete=models.PROTECT, related_name="+")
    subject_pseudonym = models.UUIDField()
    status = models.CharField(max_length=12, choices=Status, default=Status.QUEUED)
    template_state = models.CharField(
        max_length=24, choices=TemplateState, default=TemplateState.NONE
    )
    template_removed_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    # R21: decided at request time from the separate raw-image consent.
    keep_raw_image = models.BooleanField(default=False)
    # The upload, encrypted under the subject's data key, until the worker has encoded it.
    pending_path = models.CharField(max_length=300, blank=True)
    # A re-enrollment (a correction, PIPL Art. 46): on success the subject's other templates for
    # this purpose and deployment are deleted in the transaction that stores the new one; on
    # failure they stay, so a refused photo never leaves the person without a template.
    replace_existing = models.BooleanField(default=False)
    model_version = models.CharField(max_length=120, blank=True)
    face_box = models.JSONField(null=True, blank=True)
    # Which worker holds the enrollment and until when (renewed while it works): a redelivered
    # copy leaves a live lease alone, and the reclaim task re-dispatches an expired one.
    worker = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The DSR summary and erasure look up a subject's enrollments.
            models.Index(fields=["subject"], name="enrollment_subject"),
        ]

    def __str__(self) -> str:
        return f"enrollment {self.public_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class FaceTemplate(models.Model):
    """A 128-d template, AES-GCM encrypted under the subject's data key (never stored clear)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey("consent.Subject", on_delete=models.PROTECT, related_name="+")
    subject_pseudonym = models.UUIDField()
    deployment = models.ForeignKey(
        "governance.Deployment", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.ForeignKey("governance.Purpose", on_delete=models.PROTECT, related_name="+")
    purpose_version = models.ForeignKey(
        "governance.PurposeVersion", on_delete=models.PROTECT, related_name="+"
    )
    enrollment = models.OneToOneField(
        Enrollment, null=True, on_delete=models.SET_NULL, related_name="template"
    )
    ciphertext = models.BinaryField()
    # Templates from different models are never compared (engine.MODEL_VERSION).
    model_version = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    # R20: enrollment time plus the purpose version's retention period.
    retain_until = models.DateTimeField()

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            # Loading a gallery: the templates of one organization and purpose.
            models.Index(fields=["organization", "purpose"], name="template_org_purpose"),
            # The retention sweep: templates past their date.
            models.Index(fields=["retain_until"], name="template_retain_until"),
            # Purge on withdrawal and erasure: one subject's templates.
            models.Index(fields=["subject", "purpose"], name="template_subject_purpose"),
        ]

    def __str__(self) -> str:
        return f"template {self.public_id}"


class RawImage(models.Model):
    """An enrollment photo kept by separate consent (R21), encrypted under the data key."""

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey("consent.Subject", on_delete=models.PROTECT, related_name="+")
    purpose = models.ForeignKey("governance.Purpose", on_delete=models.PROTECT, related_name="+")
    enrollment = models.ForeignKey(
        Enrollment, null=True, on_delete=models.SET_NULL, related_name="raw_images"
    )
    path = models.CharField(max_length=300)
    retain_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["retain_until"], name="raw_image_retain_until")]

    def __str__(self) -> str:
        return f"raw image {self.pk}"
