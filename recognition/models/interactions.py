"""When each person last dealt with each site: BIPA's destruction clock (R23)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from recognition.querysets import OrgOwnedQuerySet


class SubjectInteraction(models.Model):
    """The last interaction of a subject with a deployment, one row per pair.

    BIPA §15(a): biometrics are destroyed at the latest 3 years after the person's last
    interaction; enrollment, an identification that named them and a verification count.
    """

    class Kind(models.TextChoices):
        ENROLLMENT = "enrollment", _("Enrollment")
        IDENTIFICATION = "identification", _("Identification that named the person")
        VERIFICATION = "verification", _("Verification")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey("consent.Subject", on_delete=models.PROTECT, related_name="+")
    deployment = models.ForeignKey(
        "governance.Deployment", on_delete=models.PROTECT, related_name="+"
    )
    last_kind = models.CharField(max_length=16, choices=Kind)
    last_at = models.DateTimeField()

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["deployment", "subject"]
        constraints = [
            # interactions_record upserts on this pair.
            models.UniqueConstraint(
                fields=["subject", "deployment"], name="interaction_one_per_subject_deployment"
            )
        ]
        indexes = [
            # The BIPA sweep: a deployment's subjects idle since before a cut-off.
            models.Index(fields=["deployment", "last_at"], name="interaction_deployment_last"),
        ]

    def __str__(self) -> str:
        return f"{self.get_last_kind_display()} at {self.last_at:%Y-%m-%d}"
