"""Signed consent receipts, one per grant and per withdrawal."""

import uuid

from django.db import models

from consent.querysets import ConsentReceiptQuerySet


class ConsentReceipt(models.Model):
    """The signed JSON handed to the subject (Kantara CR v1.1 + ISO/IEC TS 27560 parts).

    ``body`` is the exact canonical text that was signed. It names the subject only by
    pseudonym. ``code`` is the short reference printed on the receipt: with the date of birth
    it signs the subject in to the self-service pages, so it is random and sign-in attempts
    are throttled.
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="+"
    )
    consent = models.ForeignKey(
        "consent.Consent", on_delete=models.PROTECT, related_name="receipts"
    )
    event = models.OneToOneField(
        "consent.ConsentEvent", on_delete=models.PROTECT, related_name="receipt"
    )
    receipt_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(max_length=16, unique=True)
    kid = models.CharField(max_length=64)
    body = models.TextField()
    signature = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsentReceiptQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.receipt_id)
