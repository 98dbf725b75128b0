"""The binding of a CompreFace-compatible key to the one deployment and purpose it serves."""

from django.db import models

from recognition.querysets import OrgOwnedQuerySet


class CompreFaceBinding(models.Model):
    """What a CompreFace client's ``x-api-key`` may touch: one deployment, one purpose (R33).

    CompreFace keys name a "face collection"; here the collection is the purpose's gallery as
    seen from one deployment, so a key can enroll, search and erase only there. The key itself
    is a ``tenants.ApiKey`` of scope ``compreface`` (revoked and listed with the others).
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    api_key = models.OneToOneField(
        "tenants.ApiKey", on_delete=models.CASCADE, related_name="compreface_binding"
    )
    deployment = models.ForeignKey(
        "governance.Deployment", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.ForeignKey("governance.Purpose", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"CompreFace key {self.api_key_id} on {self.deployment_id}/{self.purpose_id}"
