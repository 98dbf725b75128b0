"""Personal-information protection impact assessments (R27-R30)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.querysets import AssessmentQuerySet, AttachmentQuerySet
from tenants.principals import principal_label


class Assessment(models.Model):
    """The PIA of a deployment and the purpose versions it covers."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        STALE = "stale", _("Stale: reassessment needed")

    # FRM Art. 9, PIPL Art. 56 (R28): the four mandatory sections.
    SECTION_FIELDS = (
        "section_lawfulness",
        "section_rights_impact",
        "section_security_risks",
        "section_protective_measures",
    )

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="assessments"
    )
    deployment = models.ForeignKey(
        "governance.Deployment", on_delete=models.PROTECT, related_name="assessments"
    )
    purpose_versions = models.ManyToManyField(
        "governance.PurposeVersion", related_name="assessments", blank=True
    )
    title = models.CharField(_("title"), max_length=200)
    section_lawfulness = models.TextField(
        _("whether purpose and method are lawful, legitimate and necessary"), blank=True
    )
    section_rights_impact = models.TextField(
        _("impact on rights and whether mitigation is effective"), blank=True
    )
    section_security_risks = models.TextField(
        _("risks of leakage, tampering, loss or illegal use, and the possible harm"), blank=True
    )
    section_protective_measures = models.TextField(
        _("whether protective measures are lawful, effective and proportionate"), blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    # R27/R28: the reviewer who signs off is not the person who wrote the assessment.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    stale_reason = models.CharField(max_length=300, blank=True, default="")
    stale_at = models.DateTimeField(null=True, blank=True)
    # R30: kept at least three years; deleting earlier is refused.
    retain_until = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Activation gates ask for the approved assessment of one deployment.
            models.Index(fields=["deployment", "status"], name="assessment_deployment_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def signed_off_by_label(self) -> str:
        """Return who signed it off: an e-mail, or an API key's name and prefix and member."""
        return principal_label(self.signed_off_by)


class AssessmentAttachment(models.Model):
    """A file supporting an assessment (test reports, supplier contracts, the signed PDF)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="governance/assessments/%Y/%m/", max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by_label = models.CharField(max_length=200, blank=True, default="")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def organization(self):
        return self.assessment.organization
