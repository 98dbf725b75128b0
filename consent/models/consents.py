"""Consent records, their separately granted items and their append-only history."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consent.querysets import ConsentEventQuerySet, ConsentQuerySet
from consent.states import ConsentState


class Consent(models.Model):
    """One subject's consent for one purpose version (and deployment, where scoped).

    The record is kept and changes state; each change appends a ConsentEvent. Only
    ``state == active`` with ``face_processing`` granted for the purpose's current version
    lets enrollment or matching use it (consent.selectors).
    """

    class Kind(models.TextChoices):
        SEPARATE = "separate", _("Separate consent")
        WRITTEN = "written", _("Written consent")
        GUARDIAN = "guardian", _("Guardian consent")
        GDPR_EXPLICIT = "gdpr_explicit", _("Explicit consent (GDPR)")
        BIPA_WRITTEN_RELEASE = "bipa_written_release", _("Written release (BIPA)")

    State = ConsentState

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        KIOSK = "kiosk", _("Kiosk")
        PAPER = "paper", _("Paper")
        API = "api", _("API")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="consents"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        "consent.Subject", on_delete=models.PROTECT, related_name="consents"
    )
    # Copied so that the record still names the person after erasure, by pseudonym only (R16).
    subject_pseudonym = models.UUIDField()
    purpose = models.ForeignKey(
        "governance.Purpose", on_delete=models.PROTECT, related_name="consents"
    )
    purpose_version = models.ForeignKey(
        "governance.PurposeVersion", on_delete=models.PROTECT, related_name="consents"
    )
    deployment = models.ForeignKey(
        "governance.Deployment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.ACTIVE)

    # Separately granted items, each its own yes or no (R12, R19, R21; R25 in ConsentRecipient).
    face_processing = models.BooleanField(_("face processing for the purpose"))
    central_storage = models.BooleanField(_("central storage and transmission"), default=False)
    raw_images = models.BooleanField(_("keeping raw images"), default=False)
    # R26, PIPL Art. 39: a transfer out of the PRC (a site storing or processing abroad, or a
    # recipient abroad) needs the person's own separate consent to it.
    cross_border = models.BooleanField(_("transfer outside the PRC"), default=False)

    # Evidence (R4, R16): what the person saw, how and through whom they consented.
    channel = models.CharField(_("channel"), max_length=8, choices=Channel)
    notice = models.ForeignKey(
        "governance.Notice", on_delete=models.PROTECT, related_name="consents"
    )
    notice_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=8)
    consent_ui_version = models.CharField(_("consent screen version"), max_length=40)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    device = models.ForeignKey(
        "governance.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_document = models.FileField(
        _("signed document"), upload_to="consent/signed/%Y/%m/", blank=True, max_length=300
    )
    signed_document_sha256 = models.CharField(max_length=64, blank=True)
    e_signature = models.CharField(_("electronic signature"), max_length=200, blank=True)

    # R15: under 14 on the consent date, only a guardian consents.
    is_minor_under_14 = models.BooleanField(default=False)
    guardian_name = models.CharField(_("guardian name"), max_length=200, blank=True)
    guardian_relationship = models.CharField(_("relationship"), max_length=60, blank=True)
    guardian_verification = models.CharField(
        _("how the guardian's identity was checked"), max_length=200, blank=True
    )
    guardian_evidence = models.CharField(_("guardian evidence"), max_length=300, blank=True)
    minor_rules = models.ForeignKey(
        "consent.MinorDataRules", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    given_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_channel = models.CharField(max_length=12, blank=True)
    # R16: the record and its events are kept at least three years after the last event.
    retain_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at", "-pk"]
        constraints = [
            # One record per subject and purpose version (and deployment where scoped); a new
            # grant after a withdrawal re-activates the same record with a new event.
            models.UniqueConstraint(
                fields=["subject", "purpose_version"],
                condition=Q(deployment__isnull=True),
                name="consent_one_per_subject_version",
            ),
            models.UniqueConstraint(
                fields=["subject", "purpose_version", "deployment"],
                condition=Q(deployment__isnull=False),
                name="consent_one_per_subject_version_deployment",
            ),
        ]
        indexes = [
            # consent_active_for and galleries: active consents of a purpose.
            models.Index(fields=["purpose", "state"], name="consent_purpose_state"),
            # Panel lists and dashboard figures per organization and state.
            models.Index(fields=["organization", "state"], name="consent_org_state"),
            # The expiry job looks for active consents past their term.
            models.Index(fields=["state", "expires_at"], name="consent_state_expires"),
        ]

    def __str__(self) -> str:
        return f"consent {self.public_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE and self.face_processing


class ConsentRecipient(models.Model):
    """A named third party the data would go to; each its own yes or no (PIPL Art. 23, R25)."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="recipients")
    name = models.CharField(_("recipient"), max_length=200)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    method = models.CharField(_("method"), max_length=200, blank=True)
    data_types = models.CharField(_("data types"), max_length=300, blank=True)
    # Copied from the organization's register when the consent was given (R25, R26), so the
    # record keeps what the person was told even if the register changes later.
    register_entry = models.ForeignKey(
        "governance.Recipient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    location = models.CharField(_("location"), max_length=8, blank=True, default="")
    granted = models.BooleanField(_("granted"))

    class Meta:
        ordering = ["consent", "name"]
        constraints = [
            models.UniqueConstraint(fields=["consent", "name"], name="consent_recipient_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}: {'yes' if self.granted else 'no'}"


class ConsentEvent(models.Model):
    """One step in a consent's life. Append-only: a database trigger refuses changes (R16).

    Carries no direct identifier, only the pseudonym, so it survives the subject's erasure.
    """

    class Type(models.TextChoices):
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        RECONSENT_REQUIRED = "reconsent_required", _("Re-consent required")
        RESTRICTED = "restricted", _("Restricted")
        RESTORED = "restored", _("Restored")

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="events")
    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="+"
    )
    subject_pseudonym = models.UUIDField()
    type = models.CharField(max_length=20, choices=Type)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    at = models.DateTimeField()
    actor_type = models.CharField(max_length=10)
    actor_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=12, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    retain_until = models.DateTimeField()

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            # The history of one consent, in order; the retention purge by date.
            models.Index(fields=["consent", "at"], name="consent_event_consent_at"),
            models.Index(fields=["organization", "retain_until"], name="consent_event_retain"),
        ]

    def __str__(self) -> str:
        return f"{self.type} at {self.at:%Y-%m-%d %H:%M}"
