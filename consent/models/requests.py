"""Data-subject requests as they come in; the requests workflow builds on this row."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from consent.querysets import DataRequestQuerySet


class DataRequest(models.Model):
    """A request to see, correct or delete one's data, or to object (PIPL Art. 44-48)."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("See my data")
        PORTABILITY = "portability", _("Get a copy of my data")
        CORRECTION = "correction", _("Correct my data")
        ERASURE = "erasure", _("Delete my data")
        RESTRICTION = "restriction", _("Restrict processing")
        EXPLANATION = "explanation", _("Explain the processing")
        OBJECTION = "objection", _("Object to the processing")

    class Channel(models.TextChoices):
        SELF_SERVICE = "self_service", _("Self-service page")
        STAFF = "staff", _("Staff")
        API = "api", _("API")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="data_requests"
    )
    subject = models.ForeignKey(
        "consent.Subject",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
    )
    subject_pseudonym = models.UUIDField()
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    status = models.CharField(_("status"), max_length=16, default="received")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status"], name="data_request_org_status")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"
