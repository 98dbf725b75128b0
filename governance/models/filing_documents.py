"""The sealed scans a filing with the CAC is accompanied by (R38)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.querysets import FilingDocumentQuerySet


class FilingDocument(models.Model):
    """One scanned, sealed material of a filing, typed by what it is."""

    class Kind(models.TextChoices):
        CREDIT_CODE_CERTIFICATE = (
            "credit_code_certificate",
            _("Unified social credit code certificate (sealed)"),
        )
        LEGAL_REPRESENTATIVE_ID = "legal_representative_id", _("ID of the legal representative")
        HANDLER_ID = "handler_id", _("ID of the handling person")
        AUTHORISATION_LETTER = "authorisation_letter", _("Authorisation letter (sealed)")
        COMMITMENT_LETTER = "commitment_letter", _("Commitment letter (sealed)")
        OTHER = "other", _("Other material")

    # The materials the CAC filing guide asks of every filing; "other" is as needed.
    REQUIRED_KINDS = (
        Kind.CREDIT_CODE_CERTIFICATE,
        Kind.LEGAL_REPRESENTATIVE_ID,
        Kind.HANDLER_ID,
        Kind.AUTHORISATION_LETTER,
        Kind.COMMITMENT_LETTER,
    )

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="filing_documents"
    )
    filing = models.ForeignKey(
        "governance.Filing", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    file = models.FileField(upload_to="governance/filings/%Y/%m/", max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by_label = models.CharField(max_length=200, blank=True, default="")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = FilingDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["filing", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"
