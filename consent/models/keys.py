"""Per-organization Ed25519 keys that sign consent receipts."""

from django.db import models

from consent.querysets import SigningKeyQuerySet


class SigningKey(models.Model):
    """One key pair. The private half is stored wrapped (AES-GCM under a key from MASTER_KEY).

    Rotation retires a key but keeps it: its public half stays published so that receipts it
    signed still verify.
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="signing_keys"
    )
    kid = models.CharField(max_length=64, unique=True)
    public_key = models.CharField(max_length=64)  # raw 32 bytes, base64url without padding
    private_key_wrapped = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = SigningKeyQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "-created_at", "-pk"]
        constraints = [
            # Exactly one key signs at a time; rotation locks the organization's keys.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(retired_at__isnull=True),
                name="signing_key_one_current_per_org",
            )
        ]

    def __str__(self) -> str:
        return self.kid
