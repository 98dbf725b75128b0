"""Data-subject requests with their workflow, deadline settings and legal holds.

A request is one row from filing to answer (PIPL Art. 44-50, GDPR Art. 12-22): the self-service
page, the panel and the API file it through ``dsr_request_file``, and the workflow in
``dsr.services`` sets its deadline, identity, extension, rejection, answer and the erasure
verification report. It was ``consent.DataRequest`` until issue 14 (dsr migration 0002 moved it
with its rows and ids; audit events name it "data_request" with its id, unchanged).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dsr.querysets import DataRequestQuerySet, LegalHoldQuerySet
from governance.models.transfers import Location
from tenants.querysets import OrgOwnedQuerySet


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


class DataRequest(models.Model):
    """A request to see, copy, correct, delete or restrict one's data, or to object."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("See my data")
        PORTABILITY = "portability", _("Get a copy of my data")
        CORRECTION = "correction", _("Correct my data")
        ERASURE = "erasure", _("Delete my data")
        RESTRICTION = "restriction", _("Restrict processing")
        EXPLANATION = "explanation", _("Explain the processing")
        OBJECTION = "objection", _("Object to the processing")
        # R46: sent to a processor the person names; filed with its PortabilityTransfer.
        PORTABILITY_TRANSFER = "portability_transfer", _("Send my data to another organization")

    # What the generic request forms offer: a transfer has its own form naming the receiver.
    FILE_KINDS = [c for c in Kind.choices if c[0] != "portability_transfer"]

    class Channel(models.TextChoices):
        SELF_SERVICE = "self_service", _("Self-service page")
        STAFF = "staff", _("Staff")
        API = "api", _("API")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IDENTITY_VERIFIED = "identity_verified", _("Identity verified")
        IN_PROGRESS = "in_progress", _("In progress")
        EXTENDED = "extended", _("Extended")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")

    class DeadlineFlag(models.TextChoices):
        NONE = "", _("On time")
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    OPEN_STATUSES = (
        Status.RECEIVED,
        Status.IDENTITY_VERIFIED,
        Status.IN_PROGRESS,
        Status.EXTENDED,
    )

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="data_requests"
    )
    subject = models.ForeignKey(
        "consent.Subject",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
    )
    subject_pseudonym = models.UUIDField()
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.RECEIVED)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    message = models.TextField(_("message"), blank=True)
    # The language the answer and the access package are written in.
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # R50: the deadline at filing, the current one, and the extension with its notice.
    first_due_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extension_notified_at = models.DateTimeField(null=True, blank=True)
    deadline_flag = models.CharField(max_length=10, choices=DeadlineFlag, blank=True)
    deadline_alerted_at = models.DateTimeField(null=True, blank=True)

    # How the person's identity was checked (self-service sign-in, or what staff saw).
    identity_check = models.CharField(_("identity check"), max_length=300, blank=True)
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_by = models.CharField(max_length=200, blank=True)

    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.CharField(max_length=200, blank=True)
    # R49: a rejection always carries its reason; the letter adds the complaint and court route.
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    response = models.TextField(_("answer"), blank=True)
    # What was done: "exported", "erased", "restricted_under_hold", "corrected", ...
    outcome = models.CharField(max_length=40, blank=True)
    # Correction: which fields changed (names only) and whether the face was re-enrolled.
    changes = models.JSONField(default=dict, blank=True)
    # Erasure: every table and store checked afterwards, with what was left (must be nothing).
    verification_report = models.JSONField(null=True, blank=True)
    # Access and portability: the download link's nonce and expiry; a new nonce revokes old links.
    export_nonce = models.CharField(max_length=32, blank=True)
    export_expires_at = models.DateTimeField(null=True, blank=True)

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "status"], name="data_request_org_status"),
            # The deadline job and the dashboard: open requests by due date.
            models.Index(fields=["status", "due_at"], name="data_request_status_due"),
            # Duplicate detection: a subject's open requests of one kind.
            models.Index(fields=["subject", "kind"], name="data_request_subject_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TerminationRun(models.Model):
    """The end of the organization's entrustment with the portal operator, carried out (R51).

    PIPL Art. 21: when the entrustment ends the entrusted processor returns or deletes the
    personal information and keeps none. One run per organization: "return" builds the package
    handed to the organization and then deletes, "delete" deletes; both end with a
    verification report (counts before and after per table, the audit chain verified).
    """

    class Mode(models.TextChoices):
        RETURN = "return", _("Return the data, then delete it")
        DELETE = "delete", _("Delete the data")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed and verified")
        INCOMPLETE = "incomplete", _("Data was left behind")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("at termination"), max_length=8, choices=Mode)
    status = models.CharField(max_length=12, choices=Status, default=Status.QUEUED)
    # The contract as it stood when it ended: the record may be edited afterwards.
    contract_reference = models.CharField(max_length=120, blank=True)
    requested_by_label = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A worker holds the run while this is in the future; a crashed one's lease runs out and
    # the outbox's next hand-over resumes it (every step is idempotent).
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    counts_before = models.JSONField(default=dict, blank=True)
    report = models.JSONField(null=True, blank=True)
    # "return": the package handed over, deleted from the portal once its receipt is confirmed.
    package = models.FileField(upload_to="dsr/termination/", max_length=300, blank=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    package_bytes = models.PositiveBigIntegerField(default=0)
    package_deleted_at = models.DateTimeField(null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # An entrustment ends once: a second start finds this run (and resumes it if due).
            models.UniqueConstraint(fields=["organization"], name="termination_run_one_per_org")
        ]

    def __str__(self) -> str:
        return f"termination run of organization {self.organization_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.INCOMPLETE)

    @property
    def package_expires_at(self):
        """When the daily sweep deletes a return package nobody confirmed (None: none held)."""
        if not self.package or self.package_deleted_at is not None or self.finished_at is None:
            return None
        return self.finished_at + timedelta(days=settings.DSR_TERMINATION_PACKAGE_KEEP_DAYS)


class PortabilityImport(models.Model):
    """A portability file (R46) another organization's portal exported, imported here.

    The subject is created from it; the consents it carries are kept as history in
    ImportedConsent rows, never as consents (PIPL Art. 45(3), GDPR Art. 20: the transfer carries
    the data, not the permission; the person must consent again to this organization).
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey(
        "consent.Subject", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_pseudonym = models.UUIDField()
    schema_version = models.CharField(max_length=60)
    source_controller = models.CharField(max_length=200, blank=True)
    source_pseudonym = models.CharField(max_length=64, blank=True)
    file_sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by_label = models.CharField(max_length=200, blank=True)
    # What the file carried and was not imported (templates, requests), with counts.
    summary = models.JSONField(default=dict, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"portability import {self.pk} ({self.source_controller})"


class ImportedConsent(models.Model):
    """A consent the person gave another controller, kept here as history to confirm.

    Not a consent.Consent: nothing that asks whether a consent is usable can find it. It counts
    as confirmed only while the person holds a usable consent here for a purpose of the same
    name (dsr.selectors.imported_consents_for), which they must give anew.
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    source = models.ForeignKey(PortabilityImport, on_delete=models.CASCADE, related_name="consents")
    subject = models.ForeignKey(
        "consent.Subject", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose_name = models.CharField(max_length=200)
    purpose_description = models.TextField(blank=True)
    state_at_source = models.CharField(max_length=30)
    given_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    history = models.JSONField(default=list, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"imported consent for {self.purpose_name}"


class PortabilityTransfer(models.Model):
    """The processor a portability-transfer request sends the person's data to (R46).

    PIPL Art. 45(3): the person may ask that their data go to a processor they designate
    where the CAC's conditions are met; outside mainland China those are a transfer basis
    (PIPL Art. 38, R26) recorded for a registered recipient of that name. The request's
    workflow (deadline, identity, rejection with reasons) is its DataRequest's; this row holds
    the receiver, the eligibility the service last computed, and the delivery: a single-use
    signed link for the receiver, or a direct import into another organization on the portal.
    """

    class Delivery(models.TextChoices):
        LINK = "link", _("A download link for the receiver")
        IMPORT = "import", _("Direct import into an organization on this platform")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="+"
    )
    data_request = models.OneToOneField(
        DataRequest, on_delete=models.CASCADE, related_name="transfer"
    )
    receiver_name = models.CharField(_("receiving organization"), max_length=200)
    receiver_contact = models.CharField(_("receiver's contact"), max_length=300)
    receiver_location = models.CharField(
        _("receiver's country or region"), max_length=8, choices=Location
    )
    delivery = models.CharField(_("delivery"), max_length=8, choices=Delivery)
    # Delivery "import": the receiving organization's slug on this platform, as given.
    receiver_slug = models.SlugField(_("receiver's identifier on this platform"), blank=True)
    target_organization = models.ForeignKey(
        "tenants.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The registered recipient (R25) the eligibility check matched by name, with its basis.
    recipient = models.ForeignKey(
        "governance.Recipient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # [{"check": ..., "ok": bool, "message": ...}], as last computed (at filing, on request
    # and at approval), with when.
    eligibility = models.JSONField(default=list, blank=True)
    eligibility_checked_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by_label = models.CharField(max_length=200, blank=True)
    # Delivery "link": the nonce signed into the link, its expiry and its single use.
    link_nonce = models.CharField(max_length=32, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_sha256 = models.CharField(max_length=64, blank=True)
    import_record = models.ForeignKey(
        PortabilityImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"transfer of request {self.data_request_id} to {self.receiver_name}"

    @property
    def is_eligible(self) -> bool:
        return bool(self.eligibility) and all(c["ok"] for c in self.eligibility)

    @property
    def refusal_reasons(self) -> list[str]:
        return [c["message"] for c in self.eligibility if not c["ok"]]
