"""Sites where face recognition runs, and the devices that run it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.content_language import in_language
from governance.models.transfers import Location, in_prc
from governance.querysets import DeploymentPurposeQuerySet, DeploymentQuerySet, DeviceQuerySet


class Deployment(models.Model):
    """A site (with its devices) where an organization processes faces for declared purposes."""

    class PlaceType(models.TextChoices):
        # FRM Art. 13 (R7): private spaces inside public places, never eligible.
        HOTEL_GUEST_ROOM = "hotel_guest_room", _("Hotel guest room")
        PUBLIC_BATHHOUSE = "public_bathhouse", _("Public bathhouse")
        PUBLIC_CHANGING_ROOM = "public_changing_room", _("Public changing room")
        PUBLIC_TOILET = "public_toilet", _("Public toilet")
        # FRM Art. 13 and PIPL Art. 26 (R6, R8): public places, public security only.
        PUBLIC_PLACE = "public_place", _("Public place")
        PRIVATE_PREMISES = "private_premises", _("Private premises (restricted access)")
        RESIDENTIAL_PROPERTY = "residential_property", _("Residential property")
        WORKPLACE = "workplace", _("Workplace")
        ONLINE = "online", _("Online (app or website)")
        OTHER = "other", _("Other")

    # R7: no override exists for these, by design.
    BANNED_PLACE_TYPES = frozenset(
        {
            PlaceType.HOTEL_GUEST_ROOM,
            PlaceType.PUBLIC_BATHHOUSE,
            PlaceType.PUBLIC_CHANGING_ROOM,
            PlaceType.PUBLIC_TOILET,
        }
    )

    class StorageMode(models.TextChoices):
        # FRM Art. 8 (R19): on the device unless the person gives separate consent.
        ON_DEVICE = "on_device", _("On the device")
        CENTRAL = "central", _("Central (separate consent required)")

    class VerificationChannel(models.TextChoices):
        # FRM Art. 11 (R5): the national service is encouraged, not required.
        NATIONAL_DB = "national_db", _("National network identity authentication service")
        TENANT_GALLERY = "tenant_gallery", _("The organization's own gallery")
        OTHER = "other", _("Other")

    class ProcessingKind(models.TextChoices):
        # FRM Art. 2 (R1): the Measures cover recognising people, not research, development or
        # algorithm training; PIPL covers both.
        PRODUCTION = "production", _("Production (recognising people)")
        RESEARCH = "rd_training", _("Research, development or algorithm training")

    class Jurisdiction(models.TextChoices):
        # Where the faces are processed: the CAC Measures apply inside the PRC only (R1).
        CN = "CN", _("China (PRC)")
        EU = "EU", _("European Union")
        US_IL = "US-IL", _("Illinois, United States")
        OTHER = "other", _("Elsewhere")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        RETIRED = "retired", _("Retired")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="deployments"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    # The same in Simplified Chinese: pages show their language's, else the other one.
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=200, blank=True)
    address_zh_hans = models.CharField(
        _("address (Simplified Chinese)"), max_length=300, blank=True
    )
    province = models.CharField(_("province"), max_length=60)
    place_type = models.CharField(_("place type"), max_length=32, choices=PlaceType)
    processing_kind = models.CharField(
        _("processing kind"),
        max_length=16,
        choices=ProcessingKind,
        default=ProcessingKind.PRODUCTION,
    )
    # Set from the organization's profile when not given: one organization may run sites in
    # several jurisdictions.
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=8, choices=Jurisdiction, default=Jurisdiction.CN
    )
    storage_mode = models.CharField(
        _("storage mode"), max_length=16, choices=StorageMode, default=StorageMode.ON_DEVICE
    )
    central_storage_reason = models.TextField(
        _("why central storage is needed"), blank=True, default=""
    )
    # R26: where templates and logs are stored, and where matching runs. Collected in the PRC
    # and kept or processed elsewhere is a transfer abroad (PIPL Art. 38).
    storage_location = models.CharField(
        _("where data is stored"), max_length=8, choices=Location, default=Location.CN
    )
    processing_location = models.CharField(
        _("where data is processed"), max_length=8, choices=Location, default=Location.CN
    )
    verification_channel = models.CharField(
        _("verification channel"),
        max_length=16,
        choices=VerificationChannel,
        default=VerificationChannel.TENANT_GALLERY,
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    public_security_justification = models.TextField(
        _("public-security justification"), blank=True, default=""
    )
    capture_area = models.TextField(_("capture area"), blank=True, default="")
    signage_photo = models.FileField(
        _("signage photo"), upload_to="governance/signage/%Y/%m/", blank=True, max_length=300
    )
    signage_location = models.CharField(_("signage location"), max_length=300, blank=True)
    signage_date = models.DateField(_("signage photo date"), null=True, blank=True)
    # R6: the signage date the re-attestation job last flagged as stale, so it warns once per
    # photo; new evidence carries a new date and is flagged again when it too gets old.
    signage_flagged_for = models.DateField(null=True, blank=True, editable=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    purposes = models.ManyToManyField(
        "governance.Purpose", through="governance.DeploymentPurpose", related_name="deployments"
    )

    objects = DeploymentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        permissions = [
            # Granted per deployment to operators through django-guardian (tenants.roles).
            ("run_job", "Run recognition jobs on this deployment"),
            ("enroll_faces", "Enroll faces on this deployment"),
            ("view_results", "View recognition results of this deployment"),
            # Role permissions (tenants.roles); listed so each name has a Permission row.
            ("view_governance", "View governance records"),
            ("manage_governance", "Manage governance records"),
            ("sign_off_assessment", "Sign off impact assessments"),
        ]
        indexes = [
            # Deployment lists and the compliance view filter an organization's rows by status.
            models.Index(fields=["organization", "status"], name="deployment_org_status"),
        ]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """Return the name in the active language, falling back to the other one."""
        return in_language(self, "name")

    @property
    def local_address(self) -> str:
        return in_language(self, "address")

    @property
    def is_banned_place(self) -> bool:
        return self.place_type in self.BANNED_PLACE_TYPES

    @property
    def is_public_place(self) -> bool:
        return self.place_type == self.PlaceType.PUBLIC_PLACE

    @property
    def measures_apply(self) -> bool:
        """Return True when the CAC Measures govern this deployment (R1): production in the PRC."""
        return (
            self.jurisdiction == self.Jurisdiction.CN
            and self.processing_kind == self.ProcessingKind.PRODUCTION
        )

    @property
    def transfers_abroad(self) -> bool:
        """Return True when faces collected here in the PRC are stored or processed outside it."""
        return self.jurisdiction == self.Jurisdiction.CN and not (
            in_prc(self.storage_location) and in_prc(self.processing_location)
        )


class Device(models.Model):
    """A device of a deployment: the gate, camera, kiosk or app that captures faces."""

    class Kind(models.TextChoices):
        ACCESS_GATE = "access_gate", _("Access gate")
        CAMERA = "camera", _("Camera")
        KIOSK = "kiosk", _("Kiosk")
        PHONE_APP = "phone_app", _("Phone app")

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="devices")
    identifier = models.CharField(_("identifier"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    location = models.CharField(_("location on site"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["deployment", "identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "identifier"], name="device_identifier_unique_per_deployment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.get_kind_display()})"

    @property
    def organization(self):
        return self.deployment.organization


class DeploymentPurpose(models.Model):
    """A purpose attached to a deployment."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="purpose_links"
    )
    purpose = models.ForeignKey(
        "governance.Purpose", on_delete=models.PROTECT, related_name="deployment_links"
    )
    # PIPL Art. 26 (R8): in a public place, a purpose other than public security needs each
    # subject's separate consent; the consent and recognition apps read this flag.
    requires_separate_consent = models.BooleanField(default=False)
    attached_at = models.DateTimeField(auto_now_add=True)

    objects = DeploymentPurposeQuerySet.as_manager()

    class Meta:
        ordering = ["deployment", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "purpose"], name="deployment_purpose_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deployment} · {self.purpose}"

    @property
    def organization(self):
        return self.deployment.organization
