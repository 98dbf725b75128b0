"""Calibrations of 1:N galleries: the operating point each identification is answered at (R54)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from recognition.querysets import CalibrationQuerySet, OrgOwnedQuerySet


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

    class Kind(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Incremental")

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
    # Full: a new sample of held-out identities was drawn and searched. Incremental: the sample
    # of `based_on` was brought up to the gallery's changes since (the point says how many
    # templates were added and removed, and why a full one ran where it does).
    kind = models.CharField(max_length=11, choices=Kind, default=Kind.FULL)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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


class CalibrationSample(models.Model):
    """The held-out identities a calibration measured, kept for the next one to start from.

    Working state rather than record, so only the newest calibration of each stratum keeps one.
    Template ids and distances only (recognition.matching.held_out.HeldOutSample): never a
    vector, which stays in the encrypted template store and is read from the gallery each time.
    A template deleted on withdrawal or erasure leaves its id here, pointing at nothing, until
    the next calibration drops it.
    """

    calibration = models.OneToOneField(
        GalleryCalibration, on_delete=models.CASCADE, primary_key=True, related_name="sample"
    )
    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    probes = models.PositiveIntegerField()
    data = models.BinaryField()

    objects = OrgOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"held-out sample of calibration {self.calibration_id} ({self.probes} probes)"
