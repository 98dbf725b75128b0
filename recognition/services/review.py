"""The human review queue for results with significant effects (R43, PIPL Art. 24)."""

from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from consent.models import Subject
from consent.selectors import consent_active_for
from recognition.models import RecognitionResult
from tenants.errors import ApplicationError, Conflict, UnknownReference

DECISIONS = {
    "confirm": RecognitionResult.Review.CONFIRMED,
    "reject": RecognitionResult.Review.REJECTED,
}


def _choose(result: RecognitionResult, pseudonym: str) -> None:
    """Name the candidate a reviewer chose for an ambiguous answer, if they still consent."""
    offered = {c["subject_pseudonym"] for c in result.candidates}
    if pseudonym not in offered:
        raise ApplicationError(
            "Choose one of the result's candidates: "
            + ", ".join(sorted(offered))
            + " (or reject it).",
            code="invalid_candidate",
        )
    subject = Subject.objects.filter(
        organization_id=result.organization_id, pseudonym=pseudonym, erased_at__isnull=True
    ).first()
    job = result.job
    if subject is None or not consent_active_for(
        subject=subject, purpose=job.purpose, deployment=job.deployment
    ):
        raise Conflict(
            "This candidate no longer consents: the face cannot be named.",
            code="consent_withdrawn",
        )
    result.subject, result.subject_pseudonym, result.matched = subject, subject.pseudonym, True
    result.decision = RecognitionResult.Decision.NAMED


@transaction.atomic
def result_review(
    *,
    result: RecognitionResult,
    actor: Actor,
    decision: str,
    note: str = "",
    subject_pseudonym: str = "",
) -> RecognitionResult:
    """Record a reviewer's decision on a pending result; raise Conflict when already decided.

    A pending ambiguous answer (R54) names nobody until the reviewer confirms one of its
    candidates, by pseudonym; a confirmed match otherwise keeps the subject it named.
    """
    if decision not in DECISIONS:
        raise ApplicationError("Decide 'confirm' or 'reject'.", code="invalid_decision")
    result = RecognitionResult.objects.select_for_update().get(pk=result.pk)
    if result.review_status != RecognitionResult.Review.PENDING:
        raise Conflict("This result is not awaiting review.", code="not_pending")
    if subject_pseudonym and subject_pseudonym not in {
        c["subject_pseudonym"] for c in result.candidates
    }:
        # Whatever the decision: a subject named in the request must be one offered here.
        raise UnknownReference(
            "subject",
            [subject_pseudonym],
            message=f"subject: {subject_pseudonym} is not one of this result's candidates.",
        )
    if decision == "confirm" and result.subject_id is None:
        _choose(result, str(subject_pseudonym or ""))
    result.review_status = DECISIONS[decision]
    result.reviewed_by_label = actor.label[:200]
    result.reviewed_at = timezone.now()
    result.review_note = note[:300]
    result.save(
        update_fields=[
            "review_status",
            "reviewed_by_label",
            "reviewed_at",
            "review_note",
            "subject",
            "subject_pseudonym",
            "matched",
            "decision",
        ]
    )
    audit_record(
        organization_id=result.organization_id,
        actor=actor,
        action="recognition.result_reviewed",
        target_type="recognition_result",
        target_id=result.pk,
        subject_pseudonym=str(result.subject_pseudonym or ""),
        details={
            "decision": result.review_status,
            "job_id": result.job_id,
            "chosen_from_candidates": bool(result.candidates),
        },
    )
    return result
