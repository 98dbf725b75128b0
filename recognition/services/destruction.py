"""BIPA's destruction schedule (R23): Illinois templates go when their purpose ends at the site
or 3 years after the person's last interaction there, whichever comes first.

The deletion itself is the purge every other path uses (``templates_delete``,
``raw_images_delete``): counters, gallery versions and one audit event per item, with the
reason ``bipa_schedule``. The R20 retention sweep still deletes at the purpose's retention end.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audit.actors import Actor
from governance.jurisdiction import BIPA_INACTIVITY_YEARS, Jurisdiction, years_after
from governance.models import Deployment, DeploymentPurpose
from recognition.models import FaceTemplate, RawImage, SubjectInteraction
from recognition.services.templates import DeletionReason, raw_images_delete, templates_delete

BATCH = 500


def bipa_due_templates(*, now=None):
    """Return the Illinois templates BIPA says must be destroyed by ``now``.

    Due when the deployment is retired or no longer pursues the template's purpose (the purpose
    is satisfied there), or when the person's last interaction with the deployment, or the
    enrollment when none was recorded, is 3 years old.
    """
    now = now or timezone.now()
    cutoff = years_after(now, -BIPA_INACTIVITY_YEARS)
    interaction = SubjectInteraction.objects.filter(
        subject=OuterRef("subject"), deployment=OuterRef("deployment")
    )
    purpose_pursued = DeploymentPurpose.objects.filter(
        deployment=OuterRef("deployment"), purpose=OuterRef("purpose")
    )
    purpose_ended = Q(deployment__status=Deployment.Status.RETIRED) | ~Exists(purpose_pursued)
    idle = Exists(interaction.filter(last_at__lte=cutoff)) | (
        ~Exists(interaction) & Q(created_at__lte=cutoff)
    )
    return FaceTemplate.objects.filter(
        Q(deployment__jurisdiction=Jurisdiction.US_IL) & (purpose_ended | idle)
    )


def bipa_destruction_sweep(*, now=None) -> dict:
    """Destroy every Illinois template (and the raw images of the same enrollments) that BIPA's
    schedule has made due; return the counts. Idempotent: a second run finds nothing."""
    actor = Actor.system("BIPA destruction schedule")
    counts = {"templates": 0, "raw_images": 0}
    while True:
        batch = list(bipa_due_templates(now=now).order_by("pk")[:BATCH])
        if not batch:
            break
        enrollments = [t.enrollment_id for t in batch if t.enrollment_id]
        counts["templates"] += templates_delete(
            templates=batch, actor=actor, reason=DeletionReason.BIPA_SCHEDULE
        )
        counts["raw_images"] += raw_images_delete(
            images=RawImage.objects.filter(enrollment_id__in=enrollments),
            actor=actor,
            reason=DeletionReason.BIPA_SCHEDULE,
        )
    return counts
