"""What an enrollment and a recognition job have in common."""

import uuid

from django.conf import settings
from django.db import models

from recognition.querysets import OrgOwnedQuerySet


class PurposeBoundWork(models.Model):
    """Work a worker does for one purpose version on one deployment, on someone's request.

    The purpose version is pinned when the work is asked for, so consent and thresholds are
    judged against what the person agreed to then; the actor is copied, not linked, because API
    keys and users may be deleted while the audit trail still names them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+"
    )
    deployment = models.ForeignKey(
        "governance.Deployment", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.ForeignKey("governance.Purpose", on_delete=models.PROTECT, related_name="+")
    purpose_version = models.ForeignKey(
        "governance.PurposeVersion", on_delete=models.PROTECT, related_name="+"
    )
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    actor_type = models.CharField(max_length=10)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        abstract = True
