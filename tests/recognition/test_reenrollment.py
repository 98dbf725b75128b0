"""Correction by a new photo (PIPL Art. 46): the old template goes only when the new one is stored.

The whole path runs: the DPO completes a correction request, the enrollment worker (eager)
encodes the photo with the real engine, and the gallery is read through gallery_for.
"""

import pytest

from audit.actors import Actor
from audit.models import AuditEvent
from dsr.services.completion import dsr_request_complete
from dsr.services.filing import dsr_request_file
from recognition import engine
from recognition.intake import accept_image
from recognition.models import Enrollment, FaceTemplate, SubjectKey
from recognition.services.enrollment import enrollment_request
from recognition.services.galleries import gallery_for
from recognition.services.templates import DeletionReason

pytestmark = pytest.mark.django_db

DPO = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")


@pytest.fixture
def enrolled(rec, faces, cached_engine, eager, run_on_commit):
    """A consenting subject enrolled from obama.jpg, with the gallery already loaded."""
    subject = rec.subject("Barack")
    rec.consent(subject)
    enrollment = run_on_commit(
        lambda: enrollment_request(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            subject=subject,
            image=faces.read("obama.jpg"),
            content_type="image/jpeg",
            actor=rec.actor,
        )
    )
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.SUCCEEDED, enrollment.error_message
    old = FaceTemplate.objects.get(subject=subject)
    # Loaded now, so that what follows reaches the searching side as change-log replay.
    assert old.pk in gallery_for(purpose=rec.purpose)[1]
    return subject, old


def _correct(subject, photo: bytes, run_on_commit):
    request = dsr_request_file(
        subject=subject,
        kind="correction",
        actor=Actor.subject(str(subject.pseudonym)),
        channel="self_service",
        message="That photo is not how I look now.",
    )
    run_on_commit(lambda: dsr_request_complete(data_request=request, actor=DPO, photo=photo))
    request.refresh_from_db()
    return request


def _deleted_as_replaced():
    return AuditEvent.objects.filter(
        action="recognition.template_deleted", details__reason=DeletionReason.REENROLLED
    )


def test_failed_reenrollment_keeps_the_old_template(
    rec, world, enrolled, faces, run_on_commit, panel_as
):
    subject, old = enrolled

    request = _correct(subject, faces.read("no_face_coffee_skimage.jpg"), run_on_commit)

    new = Enrollment.objects.get(public_id=request.changes["reenrollment"])
    assert new.status == Enrollment.Status.FAILED and new.error_code == "no_face"
    assert list(FaceTemplate.objects.filter(subject=subject)) == [old]
    assert SubjectKey.objects.get(subject=subject).stored_templates == 1
    assert not _deleted_as_replaced().exists()
    _version, gallery = gallery_for(purpose=rec.purpose)
    assert list(gallery.labels()) == [old.pk]
    # The request records the failure, and the DPO reads it on the request's page.
    assert request.changes["reenrollment_status"] == "failed"
    assert request.changes["reenrollment_error"]["code"] == "no_face"
    page = panel_as(world.dpo).get(f"/o/acme/dsr/{request.pk}/").content.decode()
    assert "Re-enrollment failed: the old face template was kept." in page
    assert new.error_message in page


def test_successful_reenrollment_replaces_the_old_template_in_one_step(
    rec, enrolled, faces, run_on_commit
):
    subject, old = enrolled

    request = _correct(subject, faces.read("obama2.jpg"), run_on_commit)

    new = Enrollment.objects.get(public_id=request.changes["reenrollment"])
    assert new.status == Enrollment.Status.SUCCEEDED, new.error_message
    template = FaceTemplate.objects.get(subject=subject)
    assert template.enrollment_id == new.pk
    assert not FaceTemplate.objects.filter(pk=old.pk).exists()
    assert SubjectKey.objects.get(subject=subject).stored_templates == 1
    # One step: the deletion is audited by the worker that stored the new template.
    deleted = _deleted_as_replaced().get()
    assert deleted.target_id == str(old.public_id)
    assert deleted.actor_label == "enrollment worker"
    assert request.changes["reenrollment_status"] == "succeeded"
    assert request.changes["templates_replaced"] == [str(old.public_id)]
    _version, gallery = gallery_for(purpose=rec.purpose)
    assert list(gallery.labels()) == [template.pk]
    probe = engine.enrollment_face(accept_image(faces.read("obama.jpg")).pixels).encoding
    found = gallery.search(probe, k=2, max_distance=0.6)[0]
    assert [hit.label for hit in found] == [template.pk]
