"""Enrollment: consent checks, one face, encrypted template, raw images only by consent (R21)."""

import pytest

from recognition.blobs import blob_files
from recognition.errors import EnrollmentRefused, ImageRefused
from recognition.models import Enrollment, FaceTemplate, RawImage, SubjectKey
from recognition.services.enrollment import enrollment_request, raw_image_read
from recognition.services.galleries import gallery_version

pytestmark = pytest.mark.django_db(transaction=False)


def _enroll(rec, subject, photo: bytes, run_on_commit, **kwargs):
    return run_on_commit(
        lambda: enrollment_request(
            organization=rec.org,
            deployment=kwargs.pop("deployment", rec.deployment),
            purpose=kwargs.pop("purpose", rec.purpose),
            subject=subject,
            image=photo,
            content_type="image/jpeg",
            actor=rec.actor,
            **kwargs,
        )
    )


def test_r12_r19_enrollment_stores_one_encrypted_template_and_discards_the_photo(
    rec, faces, cached_engine, eager, run_on_commit
):
    subject = rec.subject("Barack")
    rec.consent(subject)

    enrollment = _enroll(rec, subject, faces.read("obama.jpg"), run_on_commit)

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.SUCCEEDED, enrollment.error_message
    template = FaceTemplate.objects.get(subject=subject)
    assert len(bytes(template.ciphertext)) == 1 + 12 + 512 + 16  # AES-GCM, never the clear vector
    assert SubjectKey.objects.get(subject=subject).stored_templates == 1
    assert gallery_version(organization_id=rec.org.pk, purpose_id=rec.purpose.pk) == 1
    # R21: without the separate raw-image consent nothing of the photo is left on disk.
    assert blob_files() == []
    assert not RawImage.objects.exists()
    assert enrollment.pending_path == ""


def test_r12_enrollment_without_active_consent_is_refused_and_stores_nothing(
    rec, faces, run_on_commit
):
    subject = rec.subject()
    with pytest.raises(EnrollmentRefused, match="no active consent"):
        _enroll(rec, subject, faces.read("obama.jpg"), run_on_commit)
    assert not Enrollment.objects.exists()
    assert blob_files() == []


def test_r19_enrollment_without_central_storage_consent_is_refused(rec, faces, run_on_commit):
    subject = rec.subject()
    rec.consent(subject, central_storage=False)
    with pytest.raises(EnrollmentRefused) as raised:
        _enroll(rec, subject, faces.read("obama.jpg"), run_on_commit)
    assert raised.value.code == "storage_consent_required"
    assert not Enrollment.objects.exists()


def test_enrollment_for_a_purpose_not_attached_to_the_deployment_is_refused(
    rec, faces, run_on_commit
):
    from tests.factories import PurposeFactory

    other = PurposeFactory(organization=rec.org)
    subject = rec.subject()
    rec.consent(subject)
    with pytest.raises(EnrollmentRefused, match="not declared"):
        _enroll(rec, subject, faces.read("obama.jpg"), run_on_commit, purpose=other)


def test_intake_refusal_is_an_image_error_with_its_code_and_nothing_is_stored(rec, run_on_commit):
    subject = rec.subject()
    rec.consent(subject)
    with pytest.raises(ImageRefused) as raised:
        _enroll(rec, subject, b"GIF89a not a photo", run_on_commit)
    assert raised.value.status == 400
    assert raised.value.code == "unsupported_type" or raised.value.code
    assert not Enrollment.objects.exists()
    assert blob_files() == []


@pytest.mark.parametrize(
    ("photo", "code"),
    [("no_face_coffee_skimage.jpg", "no_face"), ("two_people.jpg", "several_faces")],
)
def test_a_photo_without_exactly_one_face_fails_the_job_with_a_clear_code(
    rec, faces, cached_engine, eager, run_on_commit, photo, code
):
    subject = rec.subject()
    rec.consent(subject)

    enrollment = _enroll(rec, subject, faces.read(photo), run_on_commit)

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.FAILED
    assert enrollment.error_code == code
    assert enrollment.error_message
    assert not FaceTemplate.objects.exists()
    assert blob_files() == []


def test_r21_raw_image_is_kept_encrypted_only_with_separate_consent(
    world, faces, cached_engine, eager, run_on_commit
):
    from tests.recognition.conftest import make_rec_world

    rec = make_rec_world(world, keep_raw=True)
    subject = rec.subject()
    rec.consent(subject, raw_images=True)

    enrollment = _enroll(rec, subject, faces.read("obama.jpg"), run_on_commit)

    raw = RawImage.objects.get(subject=subject)
    template = FaceTemplate.objects.get(subject=subject)
    assert raw.retain_until == template.retain_until
    stored = blob_files("raw")
    assert len(stored) == 1
    assert b"JFIF" not in stored[0].read_bytes()[:64]  # ciphertext on disk
    assert raw_image_read(raw_image=raw).startswith(b"\xff\xd8")  # decrypts to a clean JPEG
    assert enrollment.pk == raw.enrollment_id


def test_withdrawal_while_the_worker_encodes_stores_no_template(
    rec, faces, cached_engine, eager, run_on_commit
):
    from consent.services import consent_withdraw

    subject = rec.subject()
    consent = rec.consent(subject)
    enrollment = enrollment_request(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        subject=subject,
        image=faces.read("obama.jpg"),
        content_type="image/jpeg",
        actor=rec.actor,
    )
    consent_withdraw(consent=consent, actor=rec.actor, channel="web")
    from recognition.services.enrollment import enrollment_process

    run_on_commit(
        lambda: enrollment_process(organization_id=rec.org.pk, enrollment_id=enrollment.pk)
    )

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.FAILED
    assert enrollment.error_code == "consent_required"
    assert not FaceTemplate.objects.exists()


def test_r21_withdrawal_deletes_the_kept_raw_image_too(
    world, faces, cached_engine, eager, run_on_commit
):
    from tests.recognition.conftest import make_rec_world

    rec = make_rec_world(world, keep_raw=True)
    subject = rec.subject()
    consent = rec.consent(subject, raw_images=True)
    _enroll(rec, subject, faces.read("obama.jpg"), run_on_commit)
    assert RawImage.objects.filter(subject=subject).exists()

    run_on_commit(lambda: rec.withdraw(consent))

    assert not RawImage.objects.filter(subject=subject).exists()
    assert blob_files() == []
