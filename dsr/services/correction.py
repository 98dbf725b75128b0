"""Correction and supplementation (PIPL Art. 46; GDPR Art. 16; R47).

Profile fields go through consent's subject_update (the audit event names the fields, never
the values). A new photo re-enrolls the face: the enrollment is queued with
``replace_existing``, and the templates it replaces are deleted by the enrollment worker in the
transaction that stores the new one. A photo refused at once changes nothing; one the worker
refuses (no face, several faces) leaves the old templates too, and its failure is recorded on
the request for the DPO (``dsr_correction_reenrollment_record``).
"""

from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from consent.services import subject_update
from consent.services.subjects import SUBJECT_FIELDS
from dsr.models import DataRequest
from tenants.errors import ApplicationError


@transaction.atomic
def dsr_correction_apply(
    *, data_request: DataRequest, actor: Actor, changes: dict, photo: bytes | None = None
) -> dict:
    """Apply the corrections; return the record kept on the request (field names, enrollment)."""
    subject = data_request.subject
    changes = {k: v for k, v in (changes or {}).items() if v is not None}
    unknown = set(changes) - set(SUBJECT_FIELDS)
    if unknown:
        raise ApplicationError(
            f"These fields cannot be corrected here: {', '.join(sorted(unknown))}.",
            code="invalid_fields",
        )
    if not changes and not photo:
        raise ApplicationError("Nothing to correct: give new values or a photo.", code="empty")
    before = {f: getattr(subject, f) for f in changes}
    subject = subject_update(subject=subject, actor=actor, **changes)
    changed = sorted(f for f in changes if getattr(subject, f) != before[f])
    record = {"fields": changed, "at": timezone.now().isoformat()}
    if photo:
        record.update(_reenroll(subject=subject, actor=actor, photo=photo))
    return record


def _reenroll(*, subject, actor: Actor, photo: bytes) -> dict:
    from recognition.models import FaceTemplate
    from recognition.services.enrollment import enrollment_request

    latest = (
        FaceTemplate.objects.filter(subject=subject)
        .select_related("deployment", "purpose")
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None:
        raise ApplicationError(
            "This person has no enrolled face to replace.", code="nothing_enrolled"
        )
    enrollment = enrollment_request(
        organization=subject.organization,
        deployment=latest.deployment,
        purpose=latest.purpose,
        subject=subject,
        image=photo,
        content_type=None,
        actor=actor,
        replace_existing=True,
    )
    # Nothing is deleted here: a photo the worker refuses must not leave the person without a
    # template. The worker's outcome is written back by dsr_correction_reenrollment_record.
    return {"reenrollment": str(enrollment.public_id), "reenrollment_status": enrollment.status}


def dsr_correction_reenrollment_record(*, enrollment, replaced: list[str], actor: Actor) -> None:
    """Record a re-enrollment's outcome on the correction request that queued it.

    Called by the reaction to the enrollment's outbox event, just after the enrollment's commit
    (dsr.services.reenrollment). A failure is kept with the engine's code and sentence (the old
    templates stay); a success names the templates it replaced. Idempotent: a repeat that finds
    the same outcome recorded changes and audits nothing.
    """
    if not enrollment.replace_existing:
        return
    data_request = (
        DataRequest.objects.select_for_update()
        .filter(
            organization_id=enrollment.organization_id,
            kind=DataRequest.Kind.CORRECTION,
            changes__reenrollment=str(enrollment.public_id),
        )
        .first()
    )
    if data_request is None:
        return
    record = dict(data_request.changes)
    record["reenrollment_status"] = enrollment.status
    if enrollment.status == enrollment.Status.FAILED:
        record["reenrollment_error"] = {
            "code": enrollment.error_code,
            "message": enrollment.error_message,
        }
    else:
        record["templates_replaced"] = list(replaced)
    if record == data_request.changes:
        return
    data_request.changes = record
    data_request.save(update_fields=["changes"])
    audit_record(
        organization_id=data_request.organization_id,
        actor=actor,
        action="data_request.reenrollment_recorded",
        target_type="data_request",
        target_id=str(data_request.pk),
        subject_pseudonym=str(enrollment.subject_pseudonym),
        details={
            "kind": data_request.kind,
            "reenrollment_status": enrollment.status,
            "error_code": enrollment.error_code,
        },
    )
