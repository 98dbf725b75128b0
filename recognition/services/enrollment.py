"""Enrollment: checked and stored encrypted in the request, encoded by a worker (202 + job).

The request refuses what it can decide at once (consent, deployment, intake) with a 4xx and
stores nothing. The worker does face detection (exactly one face, big enough); its refusal is
the job's outcome with the engine's code, and the upload is deleted all the same (R21).

A re-enrollment (``replace_existing``) replaces the subject's templates for the purpose and
deployment only when it succeeds, in the transaction that stores the new template; a failed one
leaves them in place.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from consent.selectors import (
    consent_active_for,
    consent_allows_central_storage,
    consent_allows_raw_images,
    consent_recorders_for,
)
from governance.gates import deployment_central_storage_check, deployment_processing_check
from governance.jurisdiction import Jurisdiction
from governance.models import Deployment, DeploymentPurpose
from governance.residency import TransferRefused, deployment_transfer_allowed
from governance.selectors import deployment_is_active, purpose_version_current
from recognition import crypto, engine
from recognition.blobs import blob_delete, blob_read, blob_write
from recognition.errors import EnrollmentRefused
from recognition.intake import ImageRejected, accept_image
from recognition.models import Enrollment, FaceTemplate, RawImage, SubjectInteraction
from recognition.services.dispatch import work_dispatch_record
from recognition.services.enrollment_events import enrollment_finished_record
from recognition.services.galleries import ADD, GalleryChangeSpec, gallery_bump, template_aad
from recognition.services.interactions import interactions_record
from recognition.services.keys import subject_key, subject_key_row_locked
from recognition.services.leases import work_lease_heartbeat, work_lease_take, worker_name
from recognition.services.quotas import active_work_claim, uploads_admit
from recognition.services.templates import DeletionReason, templates_delete
from tenants.errors import Conflict, Forbidden, RuleViolation
from tenants.roles import ENROLL


def _upload_aad(enrollment: Enrollment) -> bytes:
    return crypto.owner_aad(
        org=enrollment.organization_id,
        subject=str(enrollment.subject_pseudonym),
        enrollment=str(enrollment.public_id),
        kind="enrollment_upload",
    )


def _raw_aad(organization_id: int, pseudonym, enrollment_public_id) -> bytes:
    return crypto.owner_aad(
        org=organization_id,
        subject=str(pseudonym),
        enrollment=str(enrollment_public_id),
        kind="raw_image",
    )


def enrollment_check(*, organization, deployment, purpose, subject) -> None:
    """Raise EnrollmentRefused unless the subject may be enrolled here for this purpose now.

    R12: an active separate consent for face processing, of the kind the deployment's
    jurisdiction asks (R17 explicit consent in the EU, R18 written release in Illinois); R26: a
    legal basis and the person's consent where faces leave the PRC; R19: and for central
    storage, for a purpose attached to this (active) deployment that stores it centrally. Raise
    ProcessingSuspended (R2, R27, R29) while the deployment's assessment is stale or missing
    or it has no purpose left, CentralStorageRefused (R19) on an on-device deployment.
    """
    if not (
        deployment.organization_id
        == purpose.organization_id
        == subject.organization_id
        == organization.pk
    ):
        raise EnrollmentRefused(
            "The deployment, purpose and subject belong to other organizations."
        )
    if subject.is_erased:
        # 409 as for consents and requests (docs/api-errors.md): the subject's state, not a
        # rule the operator can meet, refuses it.
        raise Conflict("This subject was erased.", code="subject_erased")
    if not deployment_is_active(deployment=deployment):
        raise EnrollmentRefused("The deployment is not active.", code="deployment_inactive")
    deployment_processing_check(deployment=deployment)
    deployment_central_storage_check(deployment=deployment)
    if not DeploymentPurpose.objects.filter(deployment=deployment, purpose=purpose).exists():
        raise EnrollmentRefused(
            "This purpose is not declared for the deployment.", code="purpose_not_attached"
        )
    if purpose.current_version_id is None:
        raise EnrollmentRefused("The purpose has no current version.", code="purpose_inactive")
    deployment_transfer_allowed(deployment=deployment)
    if not consent_active_for(
        subject=subject, purpose=purpose, deployment=deployment, cross_border=False
    ):
        raise consent_missing_refusal(deployment)
    if not consent_active_for(subject=subject, purpose=purpose, deployment=deployment):
        raise TransferRefused(
            _(
                "Faces collected at this deployment are stored or processed outside the PRC, "
                "and the subject has not given the separate consent to that transfer (R26, "
                "PIPL Art. 39)."
            ),
            details=[
                {
                    "rule": "R26",
                    "message": _(
                        "Ask the person for the consent to the transfer abroad (the cross-border "
                        "item of their consent), or keep this deployment's data in the PRC."
                    ),
                    "fix_url": "",
                }
            ],
        )
    if not consent_allows_central_storage(subject=subject, purpose=purpose, deployment=deployment):
        raise EnrollmentRefused(
            "The subject's consent does not cover central storage of their face data (R19).",
            code="storage_consent_required",
        )


def consent_missing_refusal(deployment) -> EnrollmentRefused:
    """Return the refusal for a subject without a usable consent, naming the rule of the
    deployment's jurisdiction: R17 (GDPR explicit consent), R18 (BIPA written release) or R12."""
    rule, message, fix = {
        Jurisdiction.EU: (
            "R17",
            _(
                "The subject holds no explicit consent (GDPR Art. 9(2)(a)) to face processing "
                "for this purpose at this EU deployment (R17)."
            ),
            _("Record the person's explicit consent (kind gdpr_explicit) for this deployment."),
        ),
        Jurisdiction.US_IL: (
            "R18",
            _(
                "The subject has signed no written release (BIPA 740 ILCS 14/15(b)) for this "
                "purpose at this Illinois deployment (R18)."
            ),
            _(
                "Have the person sign the written release naming the purpose and its term "
                "(kind bipa_written_release) for this deployment."
            ),
        ),
    }.get(
        deployment.jurisdiction,
        (
            "R12",
            _("The subject holds no active consent to face processing for this purpose (R12)."),
            _("Record the person's separate consent for this purpose."),
        ),
    )
    return EnrollmentRefused(
        message,
        code="consent_required",
        details=[{"rule": rule, "message": fix, "fix_url": ""}],
    )


def enrollment_separation_check(*, organization, deployment, purpose, subject, user) -> None:
    """Raise Forbidden (``separation_of_duties``) when the organization separates the duties and
    ``user`` recorded the consent this enrollment would rest on.

    R33 (least privilege): one person alone should not both say that someone consented and put
    their face in the gallery. An API key is its own member, so a key that recorded the consent
    may not enroll either.
    """
    if not organization.separate_consent_and_enrollment:
        return
    if user.pk not in consent_recorders_for(
        subject=subject, purpose=purpose, deployment=deployment
    ):
        return
    raise Forbidden(
        _(
            "Separation of duties: this organization requires that the member who recorded a "
            "subject's consent does not also enroll that subject's face, and you recorded this "
            "consent."
        ),
        code="separation_of_duties",
        details=[
            {
                "rule": "separation_of_duties",
                "setting": "separate_consent_and_enrollment",
                "message": _("The consent recorder and the enroller must be different people."),
                "fix": _("Ask another member with the enrollment grant to enroll this face."),
            }
        ],
    )


def enrollment_request(
    *,
    organization,
    deployment,
    purpose,
    subject,
    image: bytes,
    content_type: str | None,
    actor: Actor,
    user=None,
    replace_existing: bool = False,
) -> Enrollment:
    """Check, store the photo encrypted and queue its encoding; return the enrollment job.

    With ``replace_existing`` the new template, once stored, replaces the subject's other
    templates for this purpose and deployment (a correction's re-enrollment). Raise Forbidden
    when ``user`` may not enroll on the deployment, EnrollmentRefused or ImageRefused when the
    request is refused: nothing is stored then.
    """
    if user is not None and not user.has_perm(ENROLL, deployment):
        raise Forbidden("You may not enroll faces on this deployment.")
    if user is not None:
        enrollment_separation_check(
            organization=organization,
            deployment=deployment,
            purpose=purpose,
            subject=subject,
            user=user,
        )
    enrollment_check(
        organization=organization, deployment=deployment, purpose=purpose, subject=subject
    )
    # Headers only: the worker decodes (issue 15). The request's budgets, the organization's cap.
    uploads_admit(
        organization=organization,
        work=Enrollment,
        images=[(image, content_type)],
        indexed=False,
    )
    version = purpose_version_current(purpose=purpose)
    key = subject_key(subject=subject, create=True)
    enrollment = Enrollment(
        organization=organization,
        deployment=deployment,
        purpose=purpose,
        purpose_version=version,
        subject=subject,
        subject_pseudonym=subject.pseudonym,
        keep_raw_image=consent_allows_raw_images(
            subject=subject, purpose=purpose, deployment=deployment
        ),
        replace_existing=replace_existing,
        actor_type=actor.kind,
        actor_id=str(actor.id or "")[:64],
        actor_label=actor.label[:200],
        created_by=user if user is not None and user.is_authenticated else None,
    )
    path = blob_write(
        folder=f"pending/{organization.pk}",
        data=crypto.encrypt(key, image, aad=_upload_aad(enrollment)),
    )
    try:
        with transaction.atomic():
            active_work_claim(organization=organization, work=Enrollment)
            enrollment.pending_path = path
            enrollment.save()
            audit_record(
                organization_id=organization.pk,
                actor=actor,
                action="recognition.enrollment_requested",
                target_type="enrollment",
                target_id=str(enrollment.public_id),
                subject_pseudonym=str(subject.pseudonym),
                details={
                    "deployment_id": deployment.pk,
                    "purpose_id": purpose.pk,
                    "keep_raw_image": enrollment.keep_raw_image,
                    "replace_existing": replace_existing,
                },
            )
            # Handed to a worker after the commit, or by the outbox's beat while the broker is
            # down: the request answers 202 either way.
            work_dispatch_record(work=enrollment)
    except BaseException:
        blob_delete(path)
        raise
    return enrollment


def _fail(enrollment: Enrollment, code: str, message: str, actor: Actor) -> Enrollment:
    path = enrollment.pending_path
    with transaction.atomic():
        enrollment.status = Enrollment.Status.FAILED
        enrollment.error_code, enrollment.error_message = code, message[:300]
        enrollment.finished_at = timezone.now()
        enrollment.pending_path = ""
        enrollment.progress = 100
        enrollment.lease_until = None
        enrollment.save()
        audit_record(
            organization_id=enrollment.organization_id,
            actor=actor,
            action="recognition.enrollment_failed",
            target_type="enrollment",
            target_id=str(enrollment.public_id),
            subject_pseudonym=str(enrollment.subject_pseudonym),
            details={"error_code": code, "deployment_id": enrollment.deployment_id},
        )
        enrollment_finished_record(enrollment=enrollment, replaced=[], actor=actor)
        transaction.on_commit(lambda: blob_delete(path))
    return enrollment


def enrollment_process(
    *, organization_id: int, enrollment_id: int, worker: str | None = None
) -> Enrollment | None:
    """Encode the pending photo into an encrypted template; return the finished enrollment.

    Safe to run twice (a redelivered task): a finished enrollment, or one another live worker
    holds the lease on, is returned unchanged, and the template is unique per enrollment. Raise
    EngineUnavailable for the task to retry.
    """
    enrollment = (
        Enrollment.objects.filter(pk=enrollment_id, organization_id=organization_id)
        .select_related("subject", "purpose", "deployment", "purpose_version")
        .first()
    )
    worker = worker or worker_name()
    if enrollment is None or not work_lease_take(work=enrollment, worker=worker):
        return enrollment
    # The lease set status, worker and attempts: the full saves below must not put them back.
    enrollment.refresh_from_db(fields=["status", "worker", "lease_until", "attempts", "started_at"])
    with work_lease_heartbeat(work=enrollment, worker=worker):
        return _process_held(enrollment)


def _process_held(enrollment: Enrollment) -> Enrollment:
    actor = Actor.system("enrollment worker")
    # Asked again here: the assessment may have gone stale (R29), the last purpose been detached
    # (R2) or the storage mode changed (R19) since the request was queued.
    deployment = Deployment.objects.select_related("organization").get(pk=enrollment.deployment_id)
    try:
        deployment_processing_check(deployment=deployment)
        deployment_central_storage_check(deployment=deployment)
    except RuleViolation as exc:
        return _fail(enrollment, exc.code, exc.message, actor)
    Enrollment.objects.filter(pk=enrollment.pk).update(progress=10)
    key = subject_key(subject=enrollment.subject)
    if key is None:
        return _fail(enrollment, "subject_erased", "The subject's data key was destroyed.", actor)
    try:
        image = crypto.decrypt(key, blob_read(enrollment.pending_path), aad=_upload_aad(enrollment))
        accepted = accept_image(image)
    except FileNotFoundError:
        return _fail(enrollment, "upload_missing", "The uploaded photo is no longer stored.", actor)
    except ImageRejected as exc:
        return _fail(enrollment, exc.code, exc.message, actor)
    del image
    try:
        face = engine.enrollment_face(accepted.pixels)
    except engine.EnrollmentImageInvalid as exc:
        # "no_face", "several_faces", "face_too_small": the outcome, with the engine's sentence.
        return _fail(enrollment, exc.code, exc.message, actor)
    Enrollment.objects.filter(pk=enrollment.pk).update(progress=70)
    return _store(enrollment, face, accepted, key, actor)


def _store(enrollment: Enrollment, face, accepted, key: bytes, actor: Actor) -> Enrollment:
    subject, purpose, deployment = enrollment.subject, enrollment.purpose, enrollment.deployment
    now = timezone.now()
    retain_until = now + timedelta(days=enrollment.purpose_version.retention_days)
    pending = enrollment.pending_path
    raw_path = ""
    with transaction.atomic():
        counter = subject_key_row_locked(subject=subject)
        # The consent is read again under the subject's lock: a withdrawal that committed while
        # the worker was encoding means nothing is stored (R13).
        if not consent_allows_central_storage(
            subject=subject, purpose=purpose, deployment=deployment
        ):
            return _fail(
                enrollment,
                "consent_required",
                "The consent was withdrawn or ended before the template was stored.",
                actor,
            )
        template = FaceTemplate(
            organization_id=enrollment.organization_id,
            subject=subject,
            subject_pseudonym=subject.pseudonym,
            deployment=deployment,
            purpose=purpose,
            purpose_version=enrollment.purpose_version,
            enrollment=enrollment,
            model_version=engine.MODEL_VERSION,
            retain_until=retain_until,
        )
        template.ciphertext = crypto.encrypt_template(
            key,
            face.encoding,
            aad=template_aad(enrollment.organization_id, template.public_id, subject.pseudonym),
        )
        template.save()
        enrollment.template_state = Enrollment.TemplateState.STORED
        counter.stored_templates += 1
        counter.save(update_fields=["stored_templates"])
        # R23: an enrollment is an interaction; BIPA's 3 years run from the latest one.
        interactions_record(
            organization_id=enrollment.organization_id,
            deployment_id=deployment.pk,
            subject_ids=[subject.pk],
            kind=SubjectInteraction.Kind.ENROLLMENT,
            at=now,
        )
        if enrollment.keep_raw_image and consent_allows_raw_images(
            subject=subject, purpose=purpose, deployment=deployment
        ):
            # R21: kept only by separate consent, re-encoded without metadata, until retention.
            raw_path = blob_write(
                folder=f"raw/{enrollment.organization_id}",
                data=crypto.encrypt(
                    key,
                    accepted.encode(),
                    aad=_raw_aad(
                        enrollment.organization_id, subject.pseudonym, enrollment.public_id
                    ),
                ),
            )
            RawImage.objects.create(
                organization_id=enrollment.organization_id,
                subject=subject,
                purpose=purpose,
                enrollment=enrollment,
                path=raw_path,
                retain_until=retain_until,
            )
        gallery_bump(
            organization_id=enrollment.organization_id,
            changes=[GalleryChangeSpec(purpose.pk, ADD, template.pk, subject.pseudonym)],
        )
        replaced = []
        if enrollment.replace_existing:
            # Under the subject's lock (taken above), so no store or purge of this subject runs
            # between the new template's insert and the old ones' removal.
            old = list(
                FaceTemplate.objects.filter(
                    subject=subject, purpose=purpose, deployment=deployment
                ).exclude(pk=template.pk)
            )
            replaced = [str(t.public_id) for t in old]
            templates_delete(templates=old, actor=actor, reason=DeletionReason.REENROLLED)
        enrollment.status = Enrollment.Status.SUCCEEDED
        enrollment.progress = 100
        enrollment.model_version = engine.MODEL_VERSION
        enrollment.face_box = list(face.box)
        enrollment.pending_path = ""
        enrollment.finished_at = now
        enrollment.lease_until = None
        enrollment.save()
        audit_record(
            organization_id=enrollment.organization_id,
            actor=actor,
            action="recognition.enrolled",
            target_type="face_template",
            target_id=str(template.public_id),
            subject_pseudonym=str(subject.pseudonym),
            details={
                "enrollment": str(enrollment.public_id),
                "deployment_id": deployment.pk,
                "purpose_id": purpose.pk,
                "model_version": engine.MODEL_VERSION,
                "raw_image_kept": bool(raw_path),
                "retain_until": retain_until.isoformat(),
                "replaced": replaced,
            },
        )
        enrollment_finished_record(enrollment=enrollment, replaced=replaced, actor=actor)
        # The upload goes as soon as the template exists (R21); only after the commit, so a
        # rollback leaves it for the retry.
        transaction.on_commit(lambda: blob_delete(pending))
    return enrollment


def raw_image_read(*, raw_image: RawImage) -> bytes:
    """Return a kept raw image's JPEG bytes (for the subject's access request)."""
    enrollment = raw_image.enrollment
    key = subject_key(subject=raw_image.subject)
    if key is None or enrollment is None:
        raise FileNotFoundError("the raw image can no longer be decrypted")
    aad = _raw_aad(raw_image.organization_id, raw_image.subject.pseudonym, enrollment.public_id)
    return crypto.decrypt(key, blob_read(raw_image.path), aad=aad)
