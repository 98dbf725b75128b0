"""The version of each (organization, purpose) gallery and the log of what each version changed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from recognition.querysets import OrgOwnedQuerySet


class GalleryVersion(models.Model):
    """Bumped in the transaction of every enrollment, purge and erasure of that gallery."""

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.ForeignKey("governance.Purpose", on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField(default=0)
    # Versions up to this one have no complete change log (pruned, or older than the log): a
    # worker whose cached gallery is older must rebuild it instead of replaying the log.
    log_floor = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "purpose"], name="gallery_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"gallery {self.organization_id}/{self.purpose_id} v{self.version}"


class GalleryChange(models.Model):
    """One template entering or leaving a gallery, written in the transaction of its version.

    Holds no biometric data: a worker re-reads, re-checks consent for, and decrypts an added
    template itself. The pseudonym is blanked when the subject is erased (PIPL Art. 47).
    """

    class Op(models.TextChoices):
        ADD = "add", _("Add")
        REMOVE = "remove", _("Remove")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.ForeignKey("governance.Purpose", on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField()
    op = models.CharField(max_length=6, choices=Op)
    # Not a foreign key: a removal outlives its template row.
    template_id = models.BigIntegerField()
    subject_pseudonym = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["version", "pk"]
        indexes = [
            # A worker replaying a gallery's changes after its cached version; the log's pruning.
            models.Index(
                fields=["organization", "purpose", "version"], name="gallery_change_version"
            ),
        ]

    def __str__(self) -> str:
        return f"gallery {self.organization_id}/{self.purpose_id} v{self.version} {self.op}"
