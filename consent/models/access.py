"""Self-service sign-in: one-time codes and the attempts that throttle them."""

from django.db import models

from consent.querysets import OneTimeCodeQuerySet


class OneTimeCode(models.Model):
    """A code sent by e-mail. Only an HMAC of the code and of the address is stored."""

    email_digest = models.CharField(max_length=64)
    code_digest = models.CharField(max_length=64)
    # Set when the person came from an organization's page: sign-in then looks only there.
    organization = models.ForeignKey(
        "tenants.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    objects = OneTimeCodeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["email_digest", "created_at"], name="otc_email_created")]

    def __str__(self) -> str:
        return f"code {self.pk}"


class SignInAttempt(models.Model):
    """One request for or use of a sign-in credential, counted to throttle per address and IP.

    Counted in the database so that the limit holds across web processes.
    """

    class Kind(models.TextChoices):
        CODE_REQUEST = "code_request", "code request"
        CODE_VERIFY = "code_verify", "code verify"
        RECEIPT = "receipt", "receipt code and date of birth"

    kind = models.CharField(max_length=16, choices=Kind)
    key_digest = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "key_digest", "created_at"], name="signin_key_created"),
            models.Index(fields=["kind", "ip", "created_at"], name="signin_ip_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at}"
