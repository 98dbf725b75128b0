"""Where data is stored and processed, and the legal basis of a transfer out of the PRC (R26).

Recipients (R25) live here too: a recipient's location is what makes its data a transfer.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.querysets import RecipientQuerySet, TransferBasisQuerySet


class Location(models.TextChoices):
    """Where data is stored or processed. PIPL treats Hong Kong and Macao as outside (Art. 38)."""

    CN = "CN", _("Mainland China (PRC)")
    HK = "HK", _("Hong Kong SAR")
    MO = "MO", _("Macao SAR")
    SG = "SG", _("Singapore")
    EU = "EU", _("European Union or EEA")
    US = "US", _("United States")
    OTHER = "other", _("Elsewhere outside the PRC")


def in_prc(location: str) -> bool:
    """Return True when ``location`` is inside the PRC (mainland), where no transfer happens."""
    return location == Location.CN


class Recipient(models.Model):
    """Another processor the organization provides personal information to (PIPL Art. 23, R25).

    A consent may name a recipient only once it is registered here complete: the person must be
    told its name, contact, purpose, method and data types, and the organization holds the
    contract that binds it (``REQUIRED_FIELDS`` and the document).
    """

    REQUIRED_FIELDS = ("name", "contact", "purpose", "method", "data_types", "location")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="recipients"
    )
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact"), max_length=300, blank=True, default="")
    purpose = models.TextField(_("purpose of the provision"), blank=True, default="")
    method = models.CharField(_("method"), max_length=200, blank=True, default="")
    data_types = models.CharField(_("data types"), max_length=300, blank=True, default="")
    # Where the recipient stores and processes what it receives: outside the PRC it is a
    # cross-border transfer too (R26).
    location = models.CharField(_("location"), max_length=8, choices=Location, blank=True)
    contract = models.FileField(
        upload_to="governance/recipients/%Y/%m/", max_length=300, blank=True, default=""
    )
    contract_name = models.CharField(max_length=200, blank=True, default="")
    contract_sha256 = models.CharField(max_length=64, blank=True, default="")
    created_by_label = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecipientQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            # A consent names its recipients by name (ConsentRecipient): one per organization.
            models.UniqueConstraint(
                fields=["organization", "name"], name="recipient_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def abroad(self) -> bool:
        return bool(self.location) and not in_prc(self.location)

    def missing(self, *, contract_given: bool = False) -> list[str]:
        """Return the verbose names of what R25 still needs (the contract document included,
        unless ``contract_given``: one is being uploaded with the record)."""
        lacking = [
            str(self._meta.get_field(name).verbose_name)
            for name in self.REQUIRED_FIELDS
            if not str(getattr(self, name)).strip()
        ]
        if not (self.contract or contract_given):
            lacking.append(str(_("contract document")))
        return lacking


class TransferBasis(models.Model):
    """The legal basis of one transfer out of the PRC, with its document (PIPL Art. 38, R26).

    It covers either a deployment that stores or processes abroad, or a recipient abroad.
    """

    class Mechanism(models.TextChoices):
        SECURITY_ASSESSMENT = (
            "security_assessment",
            _("CAC security assessment passed (PIPL Art. 40)"),
        )
        STANDARD_CONTRACT = "standard_contract", _("CAC standard contract, filed")
        CERTIFICATION = "certification", _("Personal information protection certification")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="transfer_bases"
    )
    deployment = models.ForeignKey(
        "governance.Deployment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transfer_bases",
    )
    recipient = models.ForeignKey(
        Recipient,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transfer_bases",
    )
    mechanism = models.CharField(_("mechanism"), max_length=24, choices=Mechanism)
    reference = models.CharField(_("reference"), max_length=200)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    document = models.FileField(upload_to="governance/transfers/%Y/%m/", max_length=300)
    document_name = models.CharField(max_length=200)
    document_sha256 = models.CharField(max_length=64)
    recorded_by_label = models.CharField(max_length=200, blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = TransferBasisQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            # A basis covers one deployment or one recipient, never both or neither.
            models.CheckConstraint(
                condition=(Q(deployment__isnull=False) & Q(recipient__isnull=True))
                | (Q(deployment__isnull=True) & Q(recipient__isnull=False)),
                name="transfer_basis_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_mechanism_display()}: {self.reference}"
