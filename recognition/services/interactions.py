"""Recording a person's interactions with a site, from which BIPA's 3 years run (R23)."""

from django.utils import timezone

from recognition.models import SubjectInteraction


def interactions_record(
    *, organization_id: int, deployment_id: int, subject_ids, kind: str, at=None
) -> int:
    """Record that each subject interacted with the deployment now; return how many.

    One row per subject and deployment, moved forward in one statement (an upsert), so two
    workers recording the same person at once leave one row with a recent time.
    """
    at = at or timezone.now()
    rows = [
        SubjectInteraction(
            organization_id=organization_id,
            subject_id=subject_id,
            deployment_id=deployment_id,
            last_kind=kind,
            last_at=at,
        )
        for subject_id in sorted(set(subject_ids))
    ]
    if rows:
        SubjectInteraction.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["subject", "deployment"],
            update_fields=["last_kind", "last_at"],
        )
    return len(rows)
