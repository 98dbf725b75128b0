import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.querysets import (
    ApiKeyQuerySet,
    InvitationQuerySet,
    MembershipQuerySet,
    OrganizationQuerySet,
)
from tenants.roles import Role


class Organization(models.Model):
    """A tenant: the legal entity that processes face data and answers for it."""

    class Jurisdiction(models.TextChoices):
        CN = "CN", _("China (PIPL, CAC Measures)")
        EU = "EU", _("European Union (GDPR)")
        US_IL = "US-IL", _("Illinois (BIPA)")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    jurisdiction = models.CharField(
        _("jurisdiction profile"), max_length=8, choices=Jurisdiction, default=Jurisdiction.CN
    )
    # What a regulator asks for in a filing (R38) and a notice (R9).
    unified_social_credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    province = models.CharField(_("province"), max_length=60, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    pi_contact_name = models.CharField(
        _("personal-information protection contact"), max_length=120, blank=True
    )
    pi_contact_email = models.EmailField(_("personal-information protection e-mail"), blank=True)
    # Owners and DPOs always need a second factor (SECOND_FACTOR_ROLES); this asks it of everyone.
    require_second_factor = models.BooleanField(
        _("require a second factor for every member"), default=False
    )
    # Separation of duties (R33, least privilege): with this on, whoever recorded a subject's
    # consent for a purpose may not also enroll that subject's face for it.
    separate_consent_and_enrollment = models.BooleanField(
        _("the member who records a consent may not enroll that subject's face"), default=False
    )
    # PIPL Art. 6, GDPR Art. 5(1)(c): operators and auditors see subjects by pseudonym unless
    # the organization decides their work needs names, contacts and birth dates.
    personal_data_for_all_roles = models.BooleanField(
        _("operators and auditors see subjects' names, contacts and birth dates"), default=False
    )
    # API rate limits the organization set itself (tenants.rate_limits): {route class: {scope:
    # requests per window}}; whatever is absent takes the default from the settings.
    rate_limits = models.JSONField(_("API rate limits"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [
            ("manage_members", "Manage members and roles"),
            ("manage_api_keys", "Manage API keys"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's single role in one organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_one_role_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} as {self.role}"


class ApiKey(models.Model):
    """A secret for operators' systems, with one role in one organization.

    Only a SHA-256 of the key is stored: keys are 256-bit random strings, so a fast hash is safe
    and lets authentication look the key up by index. Each key acts through its own service user,
    so role and per-object permissions are asked exactly as for a person.
    """

    PREFIX_LENGTH = 12

    class Scope(models.TextChoices):
        # Least privilege (R33): a key answers on one API only. A CompreFace-compatible key
        # (recognition.compreface) is bound to one deployment and purpose there, and the REST
        # API's Bearer authentication refuses it, so it can never record consents or read more.
        API = "api", _("REST API")
        COMPREFACE = "compreface", _("CompreFace-compatible API")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=16, choices=Role)
    scope = models.CharField(_("scope"), max_length=12, choices=Scope, default=Scope.API)
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Invitation(models.Model):
    """An organization's offer of a role to whoever controls an e-mail address.

    A staff identity is shared across organizations, so no organization may create or change one
    for someone else: it offers a role, and the person accepts it signed in as themselves (or, for
    an address with no account yet, by setting their own password through the mailed link). Only
    a SHA-256 of the link's token is stored, as for API keys.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=16, choices=Role)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A new invitation to the same address replaces the open one (invitation_create),
            # so a mailbox never holds two live links to the same organization.
            models.UniqueConstraint(
                models.functions.Lower("email"),
                "organization",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization} as {self.role}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class IdempotencyKey(models.Model):
    """A creating API request's ``Idempotency-Key`` and the first answer to it (issue 18).

    Keys are scoped to the caller within its organization: an API key, or a person acting for
    the organization, so two systems that happen to pick the same key never see each other's
    answers. ``status_code`` is null while the first request is in flight. The answer is the
    body the caller was sent, so records live only IDEMPOTENCY_KEY_TTL_SECONDS (a day) and a
    subject's erasure deletes those that name them (tenants.services.idempotency).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    caller = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The answer's JSON as rendered, as text: jsonb would reorder its keys, and a replay
    # answers the same bytes as the first answer.
    body = models.TextField(null=True, blank=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            # The claim: a second request with the same key fails to insert and reads the first.
            models.UniqueConstraint(
                fields=["organization", "caller", "key"], name="idempotency_key_once_per_caller"
            )
        ]
        indexes = [
            # The beat's purge: DELETE ... WHERE expires_at <= now.
            models.Index(fields=["expires_at"], name="idempotency_key_expiry")
        ]

    def __str__(self) -> str:
        return f"{self.caller}: {self.key}"
