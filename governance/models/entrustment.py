"""The entrustment contract between an organization and the portal operator (R51)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.querysets import EntrustmentQuerySet


class Entrustment(models.Model):
    """The organization's processing contract with the portal operator, one per organization.

    PIPL Art. 21 asks the contract to state purpose, duration, method, data types, protection
    measures and what happens to the data when it ends; R51 is met only when all are recorded.
    """

    class Termination(models.TextChoices):
        RETURN = "return", _("Return all data to the organization")
        DELETE = "delete", _("Delete all data and certify the deletion")

    # The text fields the contract must state; the document is required as well.
    REQUIRED_FIELDS = (
        "contract_reference",
        "contract_date",
        "processing_purpose",
        "duration",
        "method",
        "data_types",
        "protection_measures",
        "termination",
    )

    organization = models.OneToOneField(
        "tenants.Organization", on_delete=models.CASCADE, related_name="entrustment"
    )
    contract_reference = models.CharField(
        _("contract reference"), max_length=120, blank=True, default=""
    )
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    processing_purpose = models.TextField(_("purpose of the processing"), blank=True, default="")
    duration = models.CharField(_("duration"), max_length=200, blank=True, default="")
    method = models.TextField(_("method of processing"), blank=True, default="")
    data_types = models.TextField(_("types of personal information"), blank=True, default="")
    protection_measures = models.TextField(_("protection measures"), blank=True, default="")
    termination = models.CharField(
        _("at termination"), max_length=16, choices=Termination, blank=True, default=""
    )
    document = models.FileField(
        upload_to="governance/entrustment/%Y/%m/", max_length=300, blank=True, default=""
    )
    document_name = models.CharField(max_length=200, blank=True, default="")
    document_sha256 = models.CharField(max_length=64, blank=True, default="")
    updated_by_label = models.CharField(max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntrustmentQuerySet.as_manager()

    def __str__(self) -> str:
        return self.contract_reference or str(_("Entrustment contract"))

    def lacking_fields(self) -> list[str]:
        """Return the names of the fields the record still lacks, the document last."""
        lacking = [name for name in self.REQUIRED_FIELDS if not getattr(self, name)]
        return lacking + ([] if self.document else ["document"])

    def missing(self) -> list[str]:
        """Return the verbose names of what the record still lacks (the document included)."""
        return [
            str(_("signed contract document"))
            if name == "document"
            else str(self._meta.get_field(name).verbose_name)
            for name in self.lacking_fields()
        ]
