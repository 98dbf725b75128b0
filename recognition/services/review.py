"""The human review queue for results with significant effects (R43, PIPL Art. 24)."""

from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from recognition.models import RecognitionResult
from tenants.errors import ApplicationError, Conflict

DECISIONS = {
    "confirm": RecognitionResult.Review.CONFIRMED,
    "reject": RecognitionResult.Review.REJECTED,
}


@transaction.atomic
def result_review(
    *, result: RecognitionResult, actor: Actor, decision: str, note: str = ""
) -> RecognitionResult:
    """Record a reviewer's decision on a pending match; raise Conflict when already decided."""
    if decision not in DECISIONS:
        raise ApplicationError("Decide 'confirm' or 'reject'.", code="invalid_decision")
    result = RecognitionResult.objects.select_for_update().get(pk=result.pk)
    if result.review_status != RecognitionResult.Review.PENDING:
        raise Conflict("This result is not awaiting review.", code="not_pending")
    result.review_status = DECISIONS[decision]
    result.reviewed_by_label = actor.label[:200]
    result.reviewed_at = timezone.now()
    result.review_note = note[:300]
    result.save(update_fields=["review_status", "reviewed_by_label", "reviewed_at", "review_note"])
    audit_record(
        organization_id=result.organization_id,
        actor=actor,
        action="recognition.result_reviewed",
        target_type="recognition_result",
        target_id=result.pk,
        subject_pseudonym=str(result.subject_pseudonym or ""),
        details={"decision": result.review_status, "job_id": result.job_id},
    )
    return result
