"""The security incident register (R34, PIPL Art. 57)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.querysets import IncidentQuerySet


class Incident(models.Model):
    """A leak, tampering or loss of personal information, with what Art. 57 notices contain."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="incidents"
    )
    deployment = models.ForeignKey(
        "governance.Deployment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    title = models.CharField(_("title"), max_length=200)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN)
    occurred_at = models.DateTimeField(_("occurred at"))
    discovered_at = models.DateTimeField(_("discovered at"))
    # PIPL Art. 57: what the notification to authorities and individuals contains.
    data_types = models.TextField(_("types of personal information involved"))
    cause = models.TextField(_("cause"))
    possible_harm = models.TextField(_("possible harm"))
    remedial_measures = models.TextField(_("remedial measures taken"))
    individual_steps = models.TextField(_("steps individuals can take to reduce harm"))
    contact = models.CharField(_("contact of the processor"), max_length=300)
    affected_count = models.PositiveIntegerField(_("number of people affected"), default=0)
    # Pseudonyms only: the register is exported to regulators and must not carry identities.
    affected_subjects = models.JSONField(_("affected subject pseudonyms"), default=list, blank=True)
    authorities_notified_at = models.DateTimeField(null=True, blank=True)
    individuals_notified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-discovered_at", "-pk"]

    def __str__(self) -> str:
        return self.title
