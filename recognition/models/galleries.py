"""The version of each (organization, purpose) gallery: workers cache galleries by it."""

from django.db import models

from recognition.querysets import OrgOwnedQuerySet


class GalleryVersion(models.Model):
    """Bumped in the transaction of every enrollment, purge and erasure of that gallery."""

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.ForeignKey("governance.Purpose", on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField(default=0)
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
