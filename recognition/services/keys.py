"""The key hierarchy: unwrap, create on first use, destroy (crypto-shredding) and rotate.

master key (settings.MASTER_KEY) wraps each organization key, which wraps each subject's data key,
each job's probe key and each job preview's key. Keys are unwrapped in memory for one operation
and never logged.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from recognition import crypto
from recognition.crypto import owner_aad
from recognition.models import (
    OrganizationKey,
    ProbeImage,
    RecognitionJob,
    SubjectKey,
    WebhookEndpoint,
)


def master_key() -> bytes:
    """Return the master key from settings (URL-safe base64 of 32 bytes)."""
    return crypto.key_from_text(settings.MASTER_KEY)


def _org_aad(organization_id: int) -> bytes:
    return owner_aad(org=organization_id, kind="org_key")


def subject_key_aad(organization_id: int, pseudonym) -> bytes:
    return owner_aad(org=organization_id, subject=str(pseudonym), kind="subject_key")


def probe_key_aad(organization_id: int, job_public_id) -> bytes:
    return owner_aad(org=organization_id, job=str(job_public_id), kind="probe_key")


def preview_key_aad(organization_id: int, job_public_id, index: int) -> bytes:
    return owner_aad(org=organization_id, job=str(job_public_id), image=index, kind="preview_key")


def webhook_secret_aad(organization_id: int) -> bytes:
    return owner_aad(org=organization_id, kind="webhook_secret")


def _current_row(organization_id: int) -> OrganizationKey | None:
    return OrganizationKey.objects.filter(
        organization_id=organization_id, retired_at__isnull=True
    ).first()


def organization_key(*, organization_id: int) -> tuple[OrganizationKey, bytes]:
    """Return the organization's current key row and key, creating both on first use."""
    row = _current_row(organization_id)
    if row is None:
        master = master_key()
        key = crypto.generate_key()
        try:
            with transaction.atomic():
                row = OrganizationKey.objects.create(
                    organization_id=organization_id,
                    kid=crypto.key_id(key),
                    wrapped=crypto.wrap_key(master, key, aad=_org_aad(organization_id)),
                    master_kid=crypto.key_id(master),
                )
            return row, key
        except IntegrityError:
            # Another request created it first (one current key per organization).
            row = _current_row(organization_id)
    return row, crypto.unwrap_key(master_key(), bytes(row.wrapped), aad=_org_aad(organization_id))


def subject_key(*, subject, create: bool = False) -> bytes | None:
    """Return the subject's data key (None when it has none or it was destroyed).

    With ``create``, make one if needed; the caller's transaction must lock the subject's row
    (``subject_key_row_locked``) when it also changes the counter.
    """
    row = SubjectKey.objects.filter(subject=subject).first()
    if row is not None and row.wrapped is not None:
        org_row, org_key = organization_key(organization_id=subject.organization_id)
        if row.org_key_id != org_row.pk:
            raise crypto.DecryptionFailed("the subject key is wrapped under a retired key")
        return crypto.unwrap_key(
            org_key,
            bytes(row.wrapped),
            aad=subject_key_aad(subject.organization_id, subject.pseudonym),
        )
    if not create:
        return None
    org_row, org_key = organization_key(organization_id=subject.organization_id)
    key = crypto.generate_key()
    wrapped = crypto.wrap_key(
        org_key, key, aad=subject_key_aad(subject.organization_id, subject.pseudonym)
    )
    with transaction.atomic():
        row, _created = SubjectKey.objects.select_for_update().get_or_create(
            subject=subject,
            defaults={"organization_id": subject.organization_id, "org_key": org_row},
        )
        if row.wrapped is not None:
            # Created by a concurrent enrollment between our read and our lock: use theirs.
            return subject_key(subject=subject)
        row.wrapped, row.org_key, row.destroyed_at = wrapped, org_row, None
        row.save(update_fields=["wrapped", "org_key", "destroyed_at"])
    return key


def subject_key_row_locked(*, subject) -> SubjectKey:
    """Return the subject's key row locked for update (the caller is in a transaction)."""
    row, _ = SubjectKey.objects.select_for_update().get_or_create(
        subject=subject, defaults={"organization_id": subject.organization_id}
    )
    return row


def subject_key_destroy(*, subject) -> bool:
    """Destroy the subject's data key (crypto-shredding); return False when there was none."""
    updated = SubjectKey.objects.filter(subject=subject, wrapped__isnull=False).update(
        wrapped=None, destroyed_at=timezone.now()
    )
    return bool(updated)


def probe_key_new(*, organization_id: int, job_public_id) -> tuple[bytes, bytes]:
    """Return a fresh probe key for a job and its wrapped form to store on the job."""
    _row, org_key = organization_key(organization_id=organization_id)
    key = crypto.generate_key()
    return key, crypto.wrap_key(org_key, key, aad=probe_key_aad(organization_id, job_public_id))


def probe_key(*, job: RecognitionJob) -> bytes | None:
    """Return a job's probe key, or None once it has been destroyed."""
    if job.probe_key_wrapped is None:
        return None
    _row, org_key = organization_key(organization_id=job.organization_id)
    return crypto.unwrap_key(
        org_key, bytes(job.probe_key_wrapped), aad=probe_key_aad(job.organization_id, job.public_id)
    )


@transaction.atomic
def organization_key_rotate(*, organization, actor: Actor) -> dict:
    """Make a new organization key, re-wrap every key and secret under it, retire the old one.

    Templates, probes and images are untouched: only the wrapped keys above them change. The
    organization's keys are locked for the duration, so no key is wrapped under the old one
    meanwhile. Return counts of what was re-wrapped.
    """
    list(OrganizationKey.objects.select_for_update().filter(organization=organization))
    old_row, old_key = organization_key(organization_id=organization.pk)
    master = master_key()
    new_key = crypto.generate_key()
    old_row.retired_at = timezone.now()
    old_row.wrapped = None
    old_row.save(update_fields=["retired_at", "wrapped"])
    new_row = OrganizationKey.objects.create(
        organization=organization,
        kid=crypto.key_id(new_key),
        wrapped=crypto.wrap_key(master, new_key, aad=_org_aad(organization.pk)),
        master_kid=crypto.key_id(master),
    )
    counts = {"subject_keys": 0, "probe_keys": 0, "preview_keys": 0, "webhook_secrets": 0}
    rows = SubjectKey.objects.select_for_update().filter(
        organization=organization, wrapped__isnull=False
    )
    for row in rows.select_related("subject"):
        aad = subject_key_aad(organization.pk, row.subject.pseudonym)
        row.wrapped = crypto.rewrap_key(old_key, new_key, bytes(row.wrapped), aad=aad)
        row.org_key = new_row
        row.save(update_fields=["wrapped", "org_key"])
        counts["subject_keys"] += 1
    jobs = RecognitionJob.objects.select_for_update().filter(
        organization=organization, probe_key_wrapped__isnull=False
    )
    for job in jobs:
        aad = probe_key_aad(organization.pk, job.public_id)
        job.probe_key_wrapped = crypto.rewrap_key(
            old_key, new_key, bytes(job.probe_key_wrapped), aad=aad
        )
        job.save(update_fields=["probe_key_wrapped"])
        counts["probe_keys"] += 1
    previews = ProbeImage.objects.select_for_update().filter(
        job__organization=organization, preview_key_wrapped__isnull=False
    )
    for probe in previews.select_related("job"):
        aad = preview_key_aad(organization.pk, probe.job.public_id, probe.index)
        probe.preview_key_wrapped = crypto.rewrap_key(
            old_key, new_key, bytes(probe.preview_key_wrapped), aad=aad
        )
        probe.save(update_fields=["preview_key_wrapped"])
        counts["preview_keys"] += 1
    endpoint = WebhookEndpoint.objects.select_for_update().filter(organization=organization)
    for row in endpoint:
        aad = webhook_secret_aad(organization.pk)
        secret = crypto.decrypt(old_key, bytes(row.secret_encrypted), aad=aad)
        row.secret_encrypted = crypto.encrypt(new_key, secret, aad=aad)
        row.save(update_fields=["secret_encrypted"])
        counts["webhook_secrets"] += 1
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="recognition.org_key_rotated",
        target_type="organization_key",
        target_id=new_row.pk,
        details={"old_kid": old_row.kid, "new_kid": new_row.kid, **counts},
    )
    return {"old_kid": old_row.kid, "new_kid": new_row.kid, **counts}


@transaction.atomic
def organization_keys_rewrap_master(*, old_master: bytes, actor: Actor) -> int:
    """Re-wrap every current organization key from ``old_master`` under settings.MASTER_KEY.

    The step after changing MASTER_KEY; return how many keys were re-wrapped.
    """
    master = master_key()
    count = 0
    for row in OrganizationKey.objects.select_for_update().filter(retired_at__isnull=True):
        if row.master_kid == crypto.key_id(master):
            continue
        aad = _org_aad(row.organization_id)
        row.wrapped = crypto.rewrap_key(old_master, master, bytes(row.wrapped), aad=aad)
        row.master_kid = crypto.key_id(master)
        row.save(update_fields=["wrapped", "master_kid"])
        audit_record(
            organization_id=row.organization_id,
            actor=actor,
            action="recognition.org_key_rewrapped",
            target_type="organization_key",
            target_id=row.pk,
            details={"kid": row.kid, "master_kid": row.master_kid},
        )
        count += 1
    return count
