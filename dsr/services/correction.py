"""Correction and supplementation (PIPL Art. 46; GDPR Art. 16; R47).

Profile fields go through consent's subject_update (the audit event names the fields, never
the values). A new photo re-enrolls the face: the new enrollment is queued first (a refused
photo changes nothing), then the templates it replaces are deleted with their reason.
"""

from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from consent.models import DataRequest
from consent.services import subject_update
from consent.services.subjects import SUBJECT_FIELDS
from tenants.errors import ApplicationError

REPLACED = "replaced_by_correction"


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
    from recognition.services.templates import templates_delete

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
    )
    old = FaceTemplate.objects.filter(
        subject=subject, purpose=latest.purpose, deployment=latest.deployment
    )
    replaced = [str(t.public_id) for t in old]
    templates_delete(templates=old, actor=actor, reason=REPLACED)
    return {"reenrollment": str(enrollment.public_id), "templates_replaced": replaced}
