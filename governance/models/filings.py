"""Filings with the provincial CAC (R35-R38) and what they are made from."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.querysets import FilingAlertQuerySet, FilingProfileQuerySet, FilingQuerySet


class Filing(models.Model):
    """A filing to make: opened by a threshold crossing or a substantive change."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial filing")
        CHANGE = "change", _("Change filing")
        DEREGISTRATION = "deregistration", _("Deregistration")

    class Status(models.TextChoices):
        OPEN = "open", _("Open: to be filed")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="filings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    threshold = models.PositiveIntegerField(null=True, blank=True)
    stored_count = models.PositiveIntegerField(_("stored individuals when opened"), default=0)
    reason = models.TextField(_("reason"), blank=True, default="")
    trigger_date = models.DateField(_("trigger date"))
    deadline = models.DateField(_("deadline"))
    # The holiday calendar did not cover a year in the range: weekdays were counted instead.
    deadline_estimated = models.BooleanField(default=False)
    authority = models.CharField(_("authority"), max_length=200, blank=True, default="")
    filing_number = models.CharField(_("filing number"), max_length=100, blank=True, default="")
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        ordering = ["-trigger_date", "-pk"]
        constraints = [
            # Idempotency of filing_evaluate: one live initial filing per threshold, and one
            # open change filing at a time (later changes are appended to its reason).
            models.UniqueConstraint(
                fields=["organization", "threshold"],
                condition=Q(kind="initial") & ~Q(status="cancelled"),
                name="filing_one_initial_per_threshold",
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(kind="change") & Q(status="open"),
                name="filing_one_open_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.trigger_date})"

    @property
    def is_overdue(self) -> bool:
        """Return True when the filing is still open after its deadline."""
        return self.status == self.Status.OPEN and self.deadline < timezone.localdate()


class FilingAlert(models.Model):
    """A warning level (e.g. 80% of the threshold) the stored count has reached."""

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="filing_alerts"
    )
    threshold = models.PositiveIntegerField()
    level = models.FloatField()
    stored_count = models.PositiveIntegerField()
    raised_at = models.DateTimeField(auto_now_add=True)
    # Set when the count falls back below the level, so a later crossing warns again.
    cleared_at = models.DateTimeField(null=True, blank=True)
    # R35: when the owners and DPOs were mailed this warning. Set in the transaction that
    # queues the mail, so each level reached is mailed once (a later crossing is a new row).
    mailed_at = models.DateTimeField(null=True, blank=True)

    objects = FilingAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "threshold", "level"],
                condition=Q(cleared_at__isnull=True),
                name="filing_alert_one_live_per_level",
            )
        ]

    def __str__(self) -> str:
        return f"{int(self.level * 100)}% of {self.threshold}"

    @property
    def percent(self) -> int:
        return round(self.level * 100)


class FilingProfile(models.Model):
    """What a filing states beyond deployments and purposes (R38): measures and rules."""

    organization = models.OneToOneField(
        "tenants.Organization", on_delete=models.CASCADE, related_name="filing_profile"
    )
    security_measures = models.TextField(_("security measures"), blank=True, default="")
    processing_rules = models.TextField(_("processing rules"), blank=True, default="")
    operating_procedures = models.TextField(_("operating procedures"), blank=True, default="")
    legal_representative = models.CharField(
        _("legal representative"), max_length=120, blank=True, default=""
    )
    handling_person = models.CharField(_("handling person"), max_length=120, blank=True)
    # CAC Announcement (R36): processors already storing >= 100,000 individuals before
    # 1 June 2025 had to file by 14 July 2025, not 30 working days after the crossing.
    legacy_processor = models.BooleanField(
        _("stored 100,000 or more individuals before 1 June 2025"),
        default=False,
        help_text=_("Such processors had to file by 14 July 2025 (CAC Announcement)."),
    )
    # R39: a group files its aggregated count. Membership needs both sides: the affiliate names
    # its parent here, the parent lists the affiliate in group_affiliates (slugs on this platform).
    group_parent = models.SlugField(
        _("group parent (its slug on this platform)"),
        blank=True,
        default="",
        help_text=_("The organization that files for your group; it must confirm you."),
    )
    group_affiliates = models.TextField(
        _("group affiliates (slugs, one per line)"),
        blank=True,
        default="",
        help_text=_("Organizations you file for; each must name you as its group parent."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = FilingProfileQuerySet.as_manager()

    class Meta:
        ordering = ["organization"]

    def __str__(self) -> str:
        return f"Filing profile of {self.organization}"
