"""The key hierarchy: master key (settings) -> organization key -> each subject's data key."""

from django.db import models
from django.db.models import Q

from recognition.querysets import OrgOwnedQuerySet, SubjectKeyQuerySet


class OrganizationKey(models.Model):
    """An organization's key, stored wrapped under the master key.

    Rotation makes a new current key, re-wraps everything under it and wipes the old wrapped
    bytes; the retired row stays so that the audit trail's key ids keep meaning something.
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    kid = models.CharField(max_length=16)
    wrapped = models.BinaryField(null=True)
    master_kid = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "-created_at"]
        constraints = [
            # Two requests creating the first key together: one wins, the other re-reads.
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(retired_at__isnull=True),
                name="recognition_one_current_org_key",
            )
        ]

    def __str__(self) -> str:
        return f"org key {self.kid}"


class SubjectKey(models.Model):
    """A subject's data key, wrapped under the organization key.

    Destroying it (``wrapped = None``) crypto-shreds every template, raw image and pending photo
    of the subject, backups included. ``stored_templates`` is the R35 filing counter's flag: kept
    in the same transaction as every template insert and delete.
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.OneToOneField(
        "consent.Subject", on_delete=models.CASCADE, related_name="biometric_key"
    )
    wrapped = models.BinaryField(null=True)
    org_key = models.ForeignKey(
        OrganizationKey, null=True, on_delete=models.PROTECT, related_name="subject_keys"
    )
    stored_templates = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    objects = SubjectKeyQuerySet.as_manager()

    class Meta:
        indexes = [
            # R35 stored-individual count: COUNT(*) WHERE organization = ? AND stored_templates > 0
            # answered from this small partial index (bench/filing_count.py).
            models.Index(
                fields=["organization"],
                condition=Q(stored_templates__gt=0),
                name="subject_key_stored",
            )
        ]

    def __str__(self) -> str:
        return f"data key of subject {self.subject_id}"
