"""Calibrations of 1:N galleries: the operating point each identification is answered at (R54)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from recognition.querysets import CalibrationQuerySet


class GalleryCalibration(models.Model):
    """One derivation of a purpose's 1:N threshold and margin from its gallery, kept as a record.

    Never changed or deleted while the purpose exists: a job names the calibration it was
    answered with, and the accuracy report draws its history from these rows.
    """

    class Stratum(models.TextChoices):
        ALL = "", _("Everyone")
        MINORS = "minors", _("Minors (under 14)")
        ADULTS = "adults", _("Adults")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        GROWTH = "growth", _("Gallery growth")
        FIRST_JOB = "first_job", _("First identification")
        MANUAL = "manual", _("Asked for by staff")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.ForeignKey("governance.Purpose", on_delete=models.CASCADE, related_name="+")
    purpose_version = models.ForeignKey(
        "governance.PurposeVersion", on_delete=models.PROTECT, related_name="+"
    )
    stratum = models.CharField(max_length=8, choices=Stratum, blank=True, default=Stratum.ALL)
    trigger = models.CharField(max_length=10, choices=Trigger)
    gallery_version = models.BigIntegerField()
    identities = models.PositiveIntegerField()
    templates = models.PositiveIntegerField()
    declared_fpir = models.FloatField()
    threshold = models.FloatField()
    margin = models.FloatField()
    estimated_fpir = models.FloatField()
    estimated_fnir = models.FloatField(null=True, blank=True)
    genuine_median = models.FloatField(null=True, blank=True)
    usable = models.BooleanField()
    # The whole operating point (recognition.matching.calibration.OperatingPoint.to_dict),
    # with its DET curve: what the report draws and what a job's answers are decided with.
    point = models.JSONField()
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CalibrationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The newest calibration of a purpose (and stratum): every job and the report ask.
            models.Index(
                fields=["organization", "purpose", "stratum", "-created_at"],
                name="calibration_latest",
            )
        ]

    def __str__(self) -> str:
        return f"calibration {self.pk} of purpose {self.purpose_id} ({self.threshold:.3f})"

    @property
    def declared_one_in(self) -> int:
        return round(1 / self.declared_fpir) if self.declared_fpir else 0
