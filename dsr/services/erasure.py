"""Erasure that can be proven (PIPL Art. 47, GDPR Art. 17; R22, R47).

One transaction withdraws what is still active, destroys the subject's data key and face data
(recognition), blanks the personal fields and identifying evidence (consent) and the free text
of their requests. After the commit (files are unlinked on commit) verification looks in every
table and store; the report is attached to the request, and a leftover fails loudly: the request
stays open and ErasureIncomplete is raised. Under a legal hold the erasure becomes a
restriction until the hold ends (PIPL Art. 47), and runs when it is lifted.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.actors import Actor
from audit.services import audit_record
from consent.models import Consent, Subject
from consent.services import consent_withdraw, subject_erase
from dsr.errors import ErasureIncomplete
from dsr.models import DataRequest, LegalHold
from dsr.services import letters
from dsr.services.lifecycle import (
    request_audit,
    request_finish,
    request_locked,
    request_require_open,
)
from dsr.services.restriction import dsr_restriction_apply
from dsr.services.verification import traces_before_erasure, verify_erasure
from tenants.errors import ApplicationError, Conflict

REASON = "subject_erasure"


def _biometrics_erase(*, subject: Subject, actor: Actor) -> dict:
    from recognition.services.templates import subject_biometrics_erase

    return subject_biometrics_erase(
        organization=subject.organization, subject=subject, actor=actor, reason=REASON
    )


def _claimed_jobs_stop(*, subject: Subject) -> int:
    """Fail unfinished 1:1 jobs that claim the subject and delete the probes they hold.

    A verification probe is a photo of the claimed person: erasure must not leave it waiting
    in a job (the job would also compare it with templates that no longer exist).
    """
    from recognition.models import RecognitionJob
    from recognition.services.job_outcomes import job_probes_delete, recognition_job_fail

    stopped = 0
    for job in RecognitionJob.objects.filter(claimed_subject=subject):
        if job.is_finished:
            job_probes_delete(job=job)
            continue
        recognition_job_fail(
            job=job, code="subject_erased", message="The claimed subject's data was erased."
        )
        stopped += 1
    return stopped


def subject_erase_everything(*, subject: Subject, actor: Actor) -> dict:
    """Erase a subject's biometric and personal data in the caller's transaction; return counts.

    Idempotent: a second run finds nothing and changes nothing.
    """
    withdrawn = 0
    for consent in Consent.objects.filter(subject=subject).in_force():
        consent_withdraw(consent=consent, actor=actor, channel="dsr")
        withdrawn += 1
    biometrics = _biometrics_erase(subject=subject, actor=actor)
    biometrics["verification_jobs_stopped"] = _claimed_jobs_stop(subject=subject)
    subject_erase(subject=subject, actor=actor)
    # Free text the person wrote may name them; the request rows stay as proof of handling.
    messages = DataRequest.objects.filter(subject=subject).exclude(message="").update(message="")
    return {"consents_withdrawn": withdrawn, "request_messages_blanked": messages, **biometrics}


def dsr_erasure_complete(*, data_request: DataRequest, actor: Actor, note: str = "") -> DataRequest:
    """Carry out an erasure request, verify it, and attach the report; return the request.

    Raise AlreadyDone when the request was answered, ErasureIncomplete when something is left.
    """
    with transaction.atomic():
        request = request_locked(data_request)
        request_require_open(request)
        subject = Subject.objects.select_for_update().get(pk=request.subject_id)
        hold = LegalHold.objects.active().filter(subject=subject).first()
        if hold is not None:
            return _restrict_under_hold(request, subject, hold, actor)
        address = subject.email
        traces = traces_before_erasure(subject=subject)
        if request.status != DataRequest.Status.IN_PROGRESS:
            request.status = DataRequest.Status.IN_PROGRESS
            request.started_at = request.started_at or timezone.now()
            request.save(update_fields=["status", "started_at"])
        erased = subject_erase_everything(subject=subject, actor=actor)
    # Verified after the commit: raw images and uploads are unlinked on commit.
    report = verify_erasure(subject=subject, traces=traces)
    report["erased"] = erased
    with transaction.atomic():
        request = request_locked(data_request)
        request.verification_report = report
        if report["passed"]:
            with override(letters.request_language(request)):
                request.response = note.strip() or _(
                    "Your face data and personal details have been deleted. We keep only a "
                    "pseudonymous record that you consented and that we handled your request, "
                    "for three years as the law requires."
                )
            request_finish(request, actor, outcome="erased", address=address)
            return request
        request.save(update_fields=["verification_report"])
        request_audit(request, actor, "erasure_incomplete", left_behind=report["left_behind"])
    raise ErasureIncomplete(
        "The erasure left data behind: " + ", ".join(report["left_behind"]) + ".",
        details=report,
    )


def _restrict_under_hold(request, subject, hold, actor) -> DataRequest:
    restricted = dsr_restriction_apply(
        subject=subject, actor=actor, reason=f"legal hold: {hold.reason}"
    )
    request.changes = {"restricted": restricted, "legal_hold": hold.pk}
    with override(letters.request_language(request)):
        request.response = _(
            "The law requires us to keep your data for now (%(reason)s). Until that duty ends "
            "we have stopped all use of it except storage and security; it will be deleted "
            "when the duty ends."
        ) % {"reason": hold.reason}
    request_finish(request, actor, outcome="restricted_under_hold")
    return request


@transaction.atomic
def legal_hold_place(*, subject: Subject, actor: Actor, reason: str) -> LegalHold:
    """Place a legal hold: erasure requests become restrictions until it is lifted (R22)."""
    if not reason.strip():
        raise ApplicationError("State the legal basis of the hold.", code="reason_missing")
    if LegalHold.objects.active().filter(subject=subject).exists():
        raise Conflict("This subject is already under a legal hold.", code="hold_exists")
    hold = LegalHold.objects.create(
        organization_id=subject.organization_id,
        subject=subject,
        subject_pseudonym=subject.pseudonym,
        reason=reason.strip()[:300],
        placed_at=timezone.now(),
        placed_by_label=actor.label[:200],
    )
    audit_record(
        organization_id=subject.organization_id,
        actor=actor,
        action="legal_hold.placed",
        target_type="legal_hold",
        target_id=hold.pk,
        subject_pseudonym=str(subject.pseudonym),
    )
    return hold


def legal_hold_lift(*, hold: LegalHold, actor: Actor) -> dict | None:
    """Lift a hold; an erasure it turned into a restriction now runs. Return its report."""
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            raise Conflict("This hold was already lifted.", code="already_done")
        hold.lifted_at = timezone.now()
        hold.lifted_by_label = actor.label[:200]
        hold.save(update_fields=["lifted_at", "lifted_by_label"])
        audit_record(
            organization_id=hold.organization_id,
            actor=actor,
            action="legal_hold.lifted",
            target_type="legal_hold",
            target_id=hold.pk,
            subject_pseudonym=str(hold.subject_pseudonym),
        )
        deferred = (
            DataRequest.objects.filter(
                subject_id=hold.subject_id,
                kind=DataRequest.Kind.ERASURE,
                outcome="restricted_under_hold",
            )
            .order_by("-closed_at")
            .first()
        )
    if deferred is None:
        return None
    return dsr_erasure_after_hold(data_request=deferred, actor=actor)


def dsr_erasure_after_hold(*, data_request: DataRequest, actor: Actor) -> dict:
    """Run the erasure a hold deferred, attaching the report to the same request."""
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=data_request.subject_id)
        traces = traces_before_erasure(subject=subject)
        erased = subject_erase_everything(subject=subject, actor=actor)
    report = verify_erasure(subject=subject, traces=traces)
    report["erased"] = erased
    with transaction.atomic():
        request = request_locked(data_request)
        request.verification_report = report
        request.outcome = "erased" if report["passed"] else "restricted_under_hold"
        request.save(update_fields=["verification_report", "outcome"])
        request_audit(request, actor, "erased_after_hold", passed=report["passed"])
    if not report["passed"]:
        raise ErasureIncomplete(
            "The erasure left data behind: " + ", ".join(report["left_behind"]) + ".",
            details=report,
        )
    return report
