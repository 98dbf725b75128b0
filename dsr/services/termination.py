"""The end of an organization's entrustment with the portal operator, carried out (R51).

PIPL Art. 21: when the entrustment ends, the entrusted processor returns or deletes the personal
information and keeps none. ``termination_start`` (the panel, the API and the management
command) checks the contract and records the run with an outbox event; the worker
(``dsr.run_termination`` → ``termination_run_execute``) builds the return package if the
contract says "return", erases every subject through the erasure engine of R22 (consents
withdrawn, data key destroyed, templates, raw images and uploads deleted, personal fields
blanked), clears what no subject owns (probe images, complaints), and writes the report: counts
before and after per table, every subject's erasure verification, and the audit chain verified.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record, audit_seal_pending, audit_verify
from consent.models import Subject
from dsr.models import LegalHold, TerminationRun
from dsr.services.erasure import subject_erase_everything
from dsr.services.termination_counts import counts_compared, organization_personal_counts
from dsr.services.termination_package import termination_package_build
from dsr.services.verification import traces_before_erasure, verify_erasure
from governance.models import Entrustment
from governance.services.complaints import complaints_personal_data_erase
from outbox.services import event_done, event_for_subscriber, event_record
from recognition.models import RecognitionJob
from recognition.services.job_outcomes import job_probes_delete, recognition_job_fail
from recognition.services.previews import job_previews_delete
from tenants.errors import Conflict

TOPIC = "dsr.termination_queued"
SUBSCRIBER = "dsr.run_termination"
# A worker renews its hold on the run after each subject; one that died loses it this long after.
LEASE = timedelta(minutes=10)


def termination_run_for(organization) -> TerminationRun | None:
    """Return the organization's termination run, None when its entrustment has not ended."""
    return TerminationRun.objects.for_org(organization).first()


def termination_start(*, organization, actor: Actor) -> TerminationRun:
    """End the entrustment: record the run and queue it; return it (the caller answers 202).

    The contract decides the mode. Idempotent: a run already queued or running is returned as
    it is, one left incomplete is queued again, a completed one is returned unchanged. Raise
    Conflict when the contract lacks what it must say, or while a legal hold keeps a subject's
    data (PIPL Art. 47: lift it, or settle the duty with the organization, first).
    """
    with transaction.atomic():
        record = Entrustment.objects.select_for_update().filter(organization=organization).first()
        if record is None or record.missing():
            raise Conflict(
                _("Record the entrustment contract in full before ending it."),
                code="entrustment_incomplete",
                details={"missing": record.missing() if record else [_("the contract")]},
            )
        holds = LegalHold.objects.for_org(organization).active().count()
        if holds:
            raise Conflict(
                _(
                    "A legal hold keeps some subjects' data: lift the holds before the data is "
                    "deleted."
                ),
                code="legal_hold_active",
                details={"legal_holds": holds},
            )
        run = TerminationRun.objects.select_for_update().filter(organization=organization).first()
        if run is not None and run.status != TerminationRun.Status.INCOMPLETE:
            return run
        if run is None:
            run = TerminationRun.objects.create(
                organization=organization,
                mode=record.termination,
                contract_reference=record.contract_reference,
                requested_by_label=actor.label[:200],
                counts_before=organization_personal_counts(organization=organization),
            )
        else:
            run.status = TerminationRun.Status.QUEUED
            run.save(update_fields=["status"])
        audit_record(
            organization_id=organization.pk,
            actor=actor,
            action="termination.requested",
            target_type="termination_run",
            target_id=run.pk,
            details={"mode": run.mode, "contract_reference": run.contract_reference},
        )
        event_record(
            topic=TOPIC,
            organization_id=organization.pk,
            payload={"run_id": run.pk, "actor": actor.as_payload()},
        )
    return run


def _claim(*, event_id: int, organization_id: int):
    """Take the run for this worker; return (run, actor), or (None, reason) when not to work."""
    with transaction.atomic():
        event = event_for_subscriber(
            event_id=event_id, organization_id=organization_id, subscriber=SUBSCRIBER
        )
        if event is None:
            return None, "done"
        run = (
            TerminationRun.objects.select_for_update()
            .filter(pk=event.payload.get("run_id"), organization_id=organization_id)
            .first()
        )
        if run is None or run.is_finished:
            event_done(event=event, subscriber=SUBSCRIBER)
            return None, run.status if run else "gone"
        now = timezone.now()
        if (
            run.status == TerminationRun.Status.RUNNING
            and run.lease_until
            and run.lease_until > now
        ):
            # Another worker holds it; this event stays pending and comes back with the beat.
            return None, "held"
        run.status = TerminationRun.Status.RUNNING
        run.started_at = run.started_at or now
        run.lease_until = now + LEASE
        run.attempts += 1
        run.save(update_fields=["status", "started_at", "lease_until", "attempts"])
    return run, Actor.from_payload(event.payload.get("actor"))


def _renew(run: TerminationRun) -> None:
    TerminationRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() + LEASE)


def _subjects_erase(run: TerminationRun, actor: Actor) -> dict:
    """Erase each subject in its own transaction and verify it; return the summary.

    One transaction per subject keeps locks short; a crash half-way leaves erased subjects
    erased, and the resumed run finds them with nothing left (the engine is idempotent).
    """
    erased, failed = 0, []
    subjects = Subject.objects.filter(organization_id=run.organization_id).order_by("pk")
    for subject_id in subjects.values_list("pk", flat=True):
        with transaction.atomic():
            subject = Subject.objects.select_for_update().get(pk=subject_id)
            traces = traces_before_erasure(subject=subject)
            subject_erase_everything(subject=subject, actor=actor)
        report = verify_erasure(subject=subject, traces=traces)
        if report["passed"]:
            erased += 1
        else:
            failed.append(
                {"subject_pseudonym": report["subject_pseudonym"], "left": report["left_behind"]}
            )
        _renew(run)
    return {"verified": erased, "failed": failed}


def _jobs_clear(organization) -> dict:
    """Fail unfinished jobs and delete the probe photos, previews and faces every job holds."""
    stopped = cleared = 0
    for job in RecognitionJob.objects.filter(organization=organization):
        if job.is_finished:
            # Previews count as probe images: downscaled copies of them (services/previews.py).
            cleared += job_probes_delete(job=job) + job_previews_delete(job=job)
            continue
        recognition_job_fail(
            job=job, code="entrustment_terminated", message="The entrustment ended."
        )
        stopped += 1
    return {"jobs_stopped": stopped, "probe_images_deleted": cleared}


def _audit_chain(organization_id: int) -> dict:
    audit_seal_pending(organization_id=organization_id)
    verified = audit_verify(organization_id=organization_id)
    return {
        "ok": verified.ok,
        "checked": verified.checked,
        "pending": verified.pending,
        "message": verified.message,
    }


def termination_run_execute(*, event_id: int, organization_id: int) -> str:
    """Carry out a queued termination run (the worker's task); return its status.

    Idempotent: a finished run only marks the event done; a run another worker holds is left
    to it; a resumed run builds no second package and erases what is left.
    """
    run, actor = _claim(event_id=event_id, organization_id=organization_id)
    if run is None:
        return actor
    try:
        return _carry_out(run, actor, event_id=event_id)
    except Exception as exc:
        # Shown on the run's page; the lease is let go so that the task's retry resumes at once
        # rather than finding the run held by the attempt that just failed.
        TerminationRun.objects.filter(pk=run.pk).update(
            last_error=repr(exc)[:2000], lease_until=None
        )
        raise


def _carry_out(run: TerminationRun, actor: Actor, *, event_id: int) -> str:
    organization_id = run.organization_id
    organization = run.organization
    package = None
    if run.mode == TerminationRun.Mode.RETURN:
        package = termination_package_build(run=run, counts=run.counts_before)
        _renew(run)
    subjects = _subjects_erase(run, actor)
    jobs = _jobs_clear(organization)
    complaints = complaints_personal_data_erase(organization=organization, actor=actor)
    after = organization_personal_counts(organization=organization)
    tables = counts_compared(run.counts_before, after)
    chain = _audit_chain(organization_id)
    passed = all(row["ok"] for row in tables) and not subjects["failed"] and chain["ok"]
    report = {
        "organization": organization.slug,
        "mode": run.mode,
        "contract_reference": run.contract_reference,
        "checked_at": timezone.now().isoformat(),
        "passed": passed,
        "tables": tables,
        "subjects": subjects,
        "jobs": jobs,
        "complaints_blanked": complaints,
        "audit_chain": chain,
        "package": package,
        "left_behind": [f"{row['table']}: {row['what']}" for row in tables if not row["ok"]],
    }
    with transaction.atomic():
        event = event_for_subscriber(
            event_id=event_id, organization_id=organization_id, subscriber=SUBSCRIBER
        )
        run = TerminationRun.objects.select_for_update().get(pk=run.pk)
        run.report = report
        run.status = TerminationRun.Status.COMPLETED if passed else TerminationRun.Status.INCOMPLETE
        run.finished_at = timezone.now()
        run.lease_until = None
        run.last_error = ""
        run.save(update_fields=["report", "status", "finished_at", "lease_until", "last_error"])
        audit_record(
            organization_id=organization_id,
            actor=actor,
            action="termination.completed" if passed else "termination.incomplete",
            target_type="termination_run",
            target_id=run.pk,
            details={"passed": passed, "left_behind": report["left_behind"]},
        )
        if event is not None:
            event_done(event=event, subscriber=SUBSCRIBER)
    return run.status


def termination_report_check(run: TerminationRun) -> list[str]:
    """Return what keeps the run from proving the termination (empty when it proves it)."""
    problems = []
    if not run.is_finished:
        problems.append(_("the run has not finished"))
    elif not (run.report or {}).get("passed"):
        problems.append(_("the report shows data left behind"))
    if run.package and run.package_deleted_at is None:
        problems.append(_("the return package is still held by the portal"))
    return problems
