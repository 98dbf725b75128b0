"""Declared purposes and their immutable versions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.content_language import in_language, is_zh_hans
from governance.querysets import PurposeQuerySet, PurposeVersionQuerySet

# R54: one stranger in a thousand named at most, unless the purpose declares otherwise.
DEFAULT_DECLARED_FPIR = 0.001
# Rates outside these bounds are either unmeasurable on any gallery (below) or not a safeguard.
MIN_DECLARED_FPIR = 1e-6
MAX_DECLARED_FPIR = 0.05


class Purpose(models.Model):
    """What faces are processed for. Its content lives in versions; consents name a version.

    The kind is fixed at creation: a different kind of processing is a different purpose.
    """

    class Kind(models.TextChoices):
        IDENTIFY_1TON = "identify_1toN", _("Identify (1:N)")
        VERIFY_1TO1 = "verify_1to1", _("Verify (1:1)")
        ACCESS_CONTROL = "access_control", _("Access control")
        ATTENDANCE = "attendance", _("Attendance")
        PAYMENT = "payment", _("Payment")
        PUBLIC_SECURITY = "public_security", _("Public security")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="purposes"
    )
    name = models.CharField(_("name"), max_length=200)
    # The texts the organization writes, per language: the fields above are English, these
    # Simplified Chinese. Pages show the one of their language, else the other (content_language).
    # Not versioned: a translation changes no processing, so consents and assessments stand.
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=200, blank=True)
    alternatives_zh_hans = models.JSONField(
        _("non-biometric alternatives (Simplified Chinese)"), default=list, blank=True
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    current_version = models.ForeignKey(
        "governance.PurposeVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PurposeQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """Return the name in the active language, falling back to the other one."""
        return in_language(self, "name")


class PurposeVersion(models.Model):
    """One immutable state of a purpose. A material change makes a new one (R11, R29)."""

    purpose = models.ForeignKey(Purpose, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    description = models.TextField(_("description"))
    method = models.TextField(
        _("processing method"),
        help_text=_("How faces are captured, compared and stored (shown in the notice, R9)."),
    )
    necessity_justification = models.TextField(_("necessity justification"))
    # R3: non-biometric ways to reach the same purpose (card, PIN, ID check, staff check).
    alternatives = models.JSONField(_("non-biometric alternatives"), default=list, blank=True)
    alternative_exemption_citation = models.CharField(
        _("State rule exempting the alternative"), max_length=300, blank=True, default=""
    )
    # R14: whether the service may be refused to someone who declines face recognition.
    fr_necessary_for_service = models.BooleanField(
        _("face recognition necessary for the service"), default=False
    )
    fr_necessity_justification = models.TextField(
        _("why face recognition is necessary for the service"), blank=True, default=""
    )
    retention_days = models.PositiveIntegerField(_("retention period (days)"))
    # R43: results with significant effects go to human review before any action.
    significant_effect = models.BooleanField(_("results have significant effects"), default=False)
    # R21: raw images are discarded after extraction unless this allows keeping them.
    keep_raw_images_allowed = models.BooleanField(_("raw images may be kept"), default=False)
    # 1:1 verification's tolerance. 1:N identification never uses it: its threshold is derived
    # from the gallery for the declared FPIR below (R54, recognition.services.calibrations).
    match_threshold = models.FloatField(_("verification threshold (1:1)"), default=0.6)
    # R54: the share of people never enrolled that a 1:N search may name, declared by the
    # organization and stated in the notice.
    declared_fpir = models.FloatField(
        _("accepted false-positive identification rate"), default=DEFAULT_DECLARED_FPIR
    )
    # R43: a person confirms every hit, and ambiguous answers go to them with their candidates.
    human_review = models.BooleanField(_("a person confirms every hit"), default=False)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True, default="")
    created_by_label = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PurposeVersionQuerySet.as_manager()

    class Meta:
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version"], name="purpose_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.version}"

    @property
    def organization(self):
        return self.purpose.organization

    @property
    def needs_human_review(self) -> bool:
        return self.significant_effect or self.human_review

    @property
    def local_alternatives(self) -> list[str]:
        """Return the alternatives in the active language: the purpose's translation when it
        names each of this version's alternatives, else the version's own."""
        translated = [a for a in self.purpose.alternatives_zh_hans if a.strip()]
        if is_zh_hans() and translated and len(translated) == len(self.alternatives):
            return translated
        return self.alternatives

    @property
    def declared_fpir_one_in(self) -> int:
        """Return N of "1 in N", the declared rate as the notice says it."""
        return round(1 / self.declared_fpir) if self.declared_fpir else 0
