"""The scheduled deletion of face data (R20, R22): past retention, or no consent left."""

from django.utils import timezone

from audit.actors import Actor
from recognition.models import FaceTemplate, RawImage
from recognition.services.templates import (
    DeletionReason,
    raw_images_delete,
    templates_delete,
    templates_unneeded,
)

BATCH = 500


def retention_sweep(*, now=None) -> dict:
    """Delete templates past retention or whose consents have all ended, and raw images past
    their date; each deletion audited with its reason. Return counts per reason."""
    now = now or timezone.now()
    actor = Actor.system("retention sweep")
    counts = {"templates_expired": 0, "templates_consent_ended": 0, "raw_images_expired": 0}
    while True:
        batch = list(FaceTemplate.objects.filter(retain_until__lte=now).order_by("pk")[:BATCH])
        if not batch:
            break
        counts["templates_expired"] += templates_delete(
            templates=batch, actor=actor, reason=DeletionReason.RETENTION_EXPIRED
        )
    last = 0
    while True:
        batch = list(FaceTemplate.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            break
        last = batch[-1].pk
        counts["templates_consent_ended"] += templates_delete(
            templates=templates_unneeded(templates=batch),
            actor=actor,
            reason=DeletionReason.CONSENT_ENDED,
        )
    while True:
        batch = list(RawImage.objects.filter(retain_until__lte=now).order_by("pk")[:BATCH])
        if not batch:
            break
        counts["raw_images_expired"] += raw_images_delete(
            images=batch, actor=actor, reason=DeletionReason.RETENTION_EXPIRED
        )
    return counts
