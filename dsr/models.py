"""Per-organization deadline settings and legal holds; the requests live in consent.DataRequest."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dsr.querysets import LegalHoldQuerySet, OrgOwnedQuerySet


class DsrSettings(models.Model):
    """An organization's answer deadlines (R50). Empty fields take the jurisdiction's default.

    EU organizations answer within one calendar month, extendable by two (GDPR Art. 12(3));
    the days below apply to CN and US-IL profiles only, where the law says "timely".
    """

    organization = models.OneToOneField(
        "tenants.Organization", on_delete=models.CASCADE, related_name="dsr_settings"
    )
    response_days = models.PositiveSmallIntegerField(_("days to answer"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(
        _("days an extension adds"), null=True, blank=True
    )
    due_soon_days = models.PositiveSmallIntegerField(
        _("warn this many days before the deadline"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "DSR settings"

    def __str__(self) -> str:
        return f"DSR settings of organization {self.organization_id}"


class LegalHold(models.Model):
    """A legal duty to keep a subject's data: erasure becomes restriction until it ends (R22).

    PIPL Art. 47: when a retention period set by law has not expired, processing stops except
    for storage and security measures; the deletion runs when the hold is lifted.
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey("consent.Subject", on_delete=models.PROTECT, related_name="+")
    subject_pseudonym = models.UUIDField()
    reason = models.CharField(_("legal basis of the hold"), max_length=300)
    placed_at = models.DateTimeField()
    placed_by_label = models.CharField(max_length=200, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by_label = models.CharField(max_length=200, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        indexes = [
            # Erasure asks whether the subject is under an active hold.
            models.Index(fields=["subject", "lifted_at"], name="legal_hold_subject_lifted"),
        ]

    def __str__(self) -> str:
        return f"legal hold on {self.subject_pseudonym}"
