"""Deleting face data: purge on withdrawal (R22), retention (R20), erasure (PIPL Art. 47).

Every deletion goes through ``templates_delete`` or ``raw_images_delete``: counters, gallery
versions and the audit trail (one event per deleted item, with its reason) stay consistent.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.actors import Actor
from audit.services.recording import EventSpec, audit_record, audit_record_many
from consent.models import Consent, Subject
from recognition.blobs import blob_delete
from recognition.models import (
    Enrollment,
    FaceTemplate,
    RawImage,
    RecognitionJob,
    RecognitionResult,
    SubjectKey,
)
from recognition.services.galleries import (
    REMOVE,
    GalleryChangeSpec,
    gallery_bump,
    gallery_subject_changes,
    gallery_subject_forget,
)
from recognition.services.keys import subject_key_destroy
from recognition.services.previews import job_previews_delete


class DeletionReason:
    """The enumerated reasons a deletion is recorded with (R22)."""

    CONSENT_WITHDRAWN = "consent_withdrawn"
    CONSENT_ENDED = "consent_ended"
    RETENTION_EXPIRED = "retention_expired"
    SUBJECT_ERASURE = "subject_erasure"
    # A correction's new photo was enrolled: the templates it replaces go in the same step.
    REENROLLED = "replaced_by_reenrollment"
    # R19: the deployment now keeps templates on the device; R23: BIPA's destruction schedule.
    STORAGE_ON_DEVICE = "storage_on_device"
    BIPA_SCHEDULE = "bipa_schedule"
    # The operator's system deleted a subject's examples (recognition.compreface): PIPL Art. 47
    # lets the handler end processing itself; the consent stays as it was.
    OPERATOR_DELETED = "deleted_by_operator"


_TEMPLATE_STATES = {
    DeletionReason.CONSENT_WITHDRAWN: Enrollment.TemplateState.PURGED_ON_WITHDRAWAL,
    DeletionReason.CONSENT_ENDED: Enrollment.TemplateState.PURGED_CONSENT_ENDED,
    DeletionReason.RETENTION_EXPIRED: Enrollment.TemplateState.EXPIRED,
    DeletionReason.SUBJECT_ERASURE: Enrollment.TemplateState.ERASED,
    DeletionReason.REENROLLED: Enrollment.TemplateState.REPLACED,
    DeletionReason.STORAGE_ON_DEVICE: Enrollment.TemplateState.PURGED_STORAGE_ON_DEVICE,
    DeletionReason.BIPA_SCHEDULE: Enrollment.TemplateState.DESTROYED_BIPA,
    DeletionReason.OPERATOR_DELETED: Enrollment.TemplateState.DELETED_BY_OPERATOR,
}


def _storage_consents(subject_ids, purpose_ids):
    # consent's one storage rule (ConsentQuerySet.storing): what still needs a stored template.
    return Consent.objects.filter(subject_id__in=subject_ids, purpose_id__in=purpose_ids).storing()


def templates_unneeded(*, templates) -> list[FaceTemplate]:
    """Return the templates among ``templates`` that no storage consent still covers."""
    templates = list(templates)
    if not templates:
        return []
    covered = defaultdict(list)
    for subject_id, purpose_id, deployment_id in _storage_consents(
        {t.subject_id for t in templates}, {t.purpose_id for t in templates}
    ).values_list("subject_id", "purpose_id", "deployment_id"):
        covered[(subject_id, purpose_id)].append(deployment_id)
    unneeded = []
    for template in templates:
        scopes = covered.get((template.subject_id, template.purpose_id), [])
        # A consent without a deployment covers every deployment of the purpose.
        if not any(scope is None or scope == template.deployment_id for scope in scopes):
            unneeded.append(template)
    return unneeded


@transaction.atomic
def templates_delete(*, templates, actor: Actor, reason: str) -> int:
    """Delete templates, keep the per-subject counters and gallery versions right, audit each."""
    templates = list(templates)
    if not templates:
        return 0
    by_subject = defaultdict(list)
    for template in templates:
        by_subject[template.subject_id].append(template)
    # Lock the counter rows in a stable order: two purges of one subject serialize here.
    keys = {
        row.subject_id: row
        for row in SubjectKey.objects.select_for_update()
        .filter(subject_id__in=by_subject)
        .order_by("subject_id")
    }
    deleted_ids = set(
        FaceTemplate.objects.filter(pk__in=[t.pk for t in templates]).values_list("pk", flat=True)
    )
    FaceTemplate.objects.filter(pk__in=deleted_ids).delete()
    for subject_id, rows in by_subject.items():
        gone = sum(1 for t in rows if t.pk in deleted_ids)
        key = keys.get(subject_id)
        if key is not None and gone:
            key.stored_templates = max(0, key.stored_templates - gone)
            key.save(update_fields=["stored_templates"])
    done = [t for t in templates if t.pk in deleted_ids]
    # The enrollment that stored each template shows what became of it, and when.
    Enrollment.objects.filter(pk__in=[t.enrollment_id for t in done if t.enrollment_id]).update(
        template_state=_TEMPLATE_STATES.get(reason, Enrollment.TemplateState.REMOVED),
        template_removed_at=timezone.now(),
    )
    by_org = defaultdict(list)
    for template in done:
        by_org[template.organization_id].append(template)
    for organization_id, rows in by_org.items():
        gallery_bump(
            organization_id=organization_id,
            changes=[
                GalleryChangeSpec(t.purpose_id, REMOVE, t.pk, t.subject_pseudonym) for t in rows
            ],
        )
        audit_record_many(
            organization_id=organization_id,
            actor=actor,
            events=[
                EventSpec(
                    "recognition.template_deleted",
                    "face_template",
                    str(t.public_id),
                    str(t.subject_pseudonym),
                    {
                        "reason": reason,
                        "deployment_id": t.deployment_id,
                        "purpose_id": t.purpose_id,
                    },
                )
                for t in rows
            ],
        )
    return len(done)


@transaction.atomic
def raw_images_delete(*, images, actor: Actor, reason: str) -> int:
    """Delete kept raw images (rows now, files after commit), auditing each with its reason."""
    images = list(RawImage.objects.select_for_update().filter(pk__in=[i.pk for i in images]))
    if not images:
        return 0
    paths = [image.path for image in images]
    RawImage.objects.filter(pk__in=[i.pk for i in images]).delete()
    by_org = defaultdict(list)
    for image in images:
        by_org[image.organization_id].append(image)
    pseudonyms = dict(
        Subject.objects.filter(pk__in={i.subject_id for i in images}).values_list("pk", "pseudonym")
    )
    for organization_id, rows in by_org.items():
        audit_record_many(
            organization_id=organization_id,
            actor=actor,
            events=[
                EventSpec(
                    "recognition.raw_image_deleted",
                    "raw_image",
                    str(i.pk),
                    str(pseudonyms.get(i.subject_id, "")),
                    {"reason": reason, "purpose_id": i.purpose_id},
                )
                for i in rows
            ],
        )
    # A rolled-back deletion must not have lost the file: unlink only after the commit.
    transaction.on_commit(lambda: [blob_delete(path) for path in paths])
    return len(images)


@transaction.atomic
def subject_templates_reconcile(
    *, subject, actor: Actor, reason: str, everything: bool = False
) -> int:
    """Bring the subject's face data in line with their consents now; return templates deleted.

    Deletes the templates and raw images no storage consent still needs (PIPL Art. 47, R13,
    R22), then puts each kept template in its galleries or takes it out, by whether a usable
    consent covers it (restricted or awaiting re-consent: kept, out; restored or given again:
    back in). ``everything`` (the subject was erased) deletes all of it whatever the consents.
    Idempotent: a second call finds nothing to delete and logs the same membership.
    """
    templates = FaceTemplate.objects.filter(subject=subject)
    if not everything:
        templates = templates_unneeded(templates=templates)
    deleted = templates_delete(templates=templates, actor=actor, reason=reason)
    # R21: a kept raw image needs its own still-standing consent item, like the template.
    kept = set()
    if not everything:
        kept = {
            p
            for (p,) in Consent.objects.filter(subject=subject)
            .storing()
            .filter(raw_images=True)
            .values_list("purpose_id")
        }
    raw_images_delete(
        images=RawImage.objects.filter(subject=subject).exclude(purpose_id__in=kept),
        actor=actor,
        reason=reason,
    )
    gallery_bump(
        organization_id=subject.organization_id,
        changes=gallery_subject_changes(subject_ids=[subject.pk]),
    )
    return deleted


@transaction.atomic
def subject_biometrics_erase(*, organization, subject, actor: Actor, reason: str) -> dict:
    """Erase all of a subject's biometric data; return what was removed.

    Destroys the subject's data key first (crypto-shredding: every template, raw image and pending
    upload becomes unreadable, backups included), then deletes templates, raw images and pending
    enrollment uploads and the previews of jobs that named them, and un-names past results
    (PIPL Art. 47). Galleries are bumped so that the next job no longer knows the subject.
    Idempotent.
    """
    if subject.organization_id != organization.pk:
        raise ValueError("the subject belongs to another organization")
    SubjectKey.objects.select_for_update().filter(subject=subject).first()
    key_destroyed = subject_key_destroy(subject=subject)
    templates = list(FaceTemplate.objects.filter(subject=subject))
    deleted_templates = templates_delete(templates=templates, actor=actor, reason=reason)
    raw = raw_images_delete(
        images=RawImage.objects.filter(subject=subject), actor=actor, reason=reason
    )
    pending = list(
        Enrollment.objects.select_for_update().filter(Q(subject=subject) & ~Q(pending_path=""))
    )
    paths = [e.pending_path for e in pending]
    for enrollment in pending:
        enrollment.pending_path = ""
        if not enrollment.is_finished:
            enrollment.status = Enrollment.Status.FAILED
            enrollment.error_code = "subject_erased"
            enrollment.error_message = "The subject's biometric data was erased."
            enrollment.finished_at = timezone.now()
        enrollment.save()
    transaction.on_commit(lambda: [blob_delete(path) for path in paths])
    named = RecognitionResult.objects.filter(subject=subject)
    # The photos of jobs that named the subject show their face: their previews go too, now
    # rather than when the job's preview time is up (services/previews.py).
    previews = sum(
        job_previews_delete(job=job)
        for job in RecognitionJob.objects.filter(pk__in=named.values("job_id"))
    )
    results = named.update(subject=None, subject_pseudonym=None)
    # The removals stay in the change log for the workers, without naming the subject.
    gallery_subject_forget(organization_id=organization.pk, subject_pseudonym=subject.pseudonym)
    summary = {
        "key_destroyed": key_destroyed,
        "templates": deleted_templates,
        "raw_images": raw,
        "pending_uploads": len(paths),
        "results_unnamed": results,
        "job_previews": previews,
    }
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="recognition.subject_biometrics_erased",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
        # "templates" is a key the audit trail refuses (face data): counts go under other names.
        details={
            "reason": reason,
            "key_destroyed": key_destroyed,
            "templates_deleted": deleted_templates,
            "raw_images_deleted": raw,
            "pending_uploads_deleted": len(paths),
            "results_unnamed": results,
            "job_previews_deleted": previews,
        },
    )
    return summary
