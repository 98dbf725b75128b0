"""Complaints and reports anyone may file about a deployment's face recognition (R52)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.querysets import ComplaintQuerySet


class Complaint(models.Model):
    """A complaint filed on a deployment's public page, routed to the DPOs with a deadline."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="complaints"
    )
    deployment = models.ForeignKey(
        "governance.Deployment", on_delete=models.PROTECT, related_name="complaints"
    )
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.OPEN)
    message = models.TextField(_("complaint"))
    # Optional: an anonymous report is still a report the organization must look into.
    contact_name = models.CharField(_("name"), max_length=120, blank=True, default="")
    contact_email = models.EmailField(_("e-mail"), blank=True, default="")
    received_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateField(_("deadline"))
    # The holiday calendar did not cover the year: weekdays were counted instead.
    deadline_estimated = models.BooleanField(default=False)
    answer = models.TextField(_("answer"), blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by_label = models.CharField(max_length=200, blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["organization", "state", "deadline"])]

    def __str__(self) -> str:
        return f"Complaint {self.pk} on {self.deployment_id}"

    @property
    def is_overdue(self) -> bool:
        """Return True when the complaint is still unanswered after its deadline."""
        return self.state == self.State.OPEN and self.deadline < timezone.localdate()
