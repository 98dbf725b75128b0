"""Correction: profile edits with the change recorded; a new photo replaces the template."""

import pytest

from audit.actors import Actor
from audit.models import AuditEvent
from dsr.services.completion import dsr_request_complete
from recognition.models import Enrollment, FaceTemplate, SubjectKey
from tenants.errors import ApplicationError
from tests.dsr.conftest import put_face_data

DPO = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")


def test_correction_edits_profile_and_records_field_names(dw):
    request = dsr_request_complete(
        data_request=dw.file("correction", message="My name is spelled Anne."),
        actor=DPO,
        changes={"display_name": "Anne Example", "phone": "+86 139 0000 2222"},
    )
    dw.subject.refresh_from_db()
    assert dw.subject.display_name == "Anne Example"
    assert request.outcome == "corrected"
    assert request.changes["fields"] == ["display_name", "phone"]
    event = AuditEvent.objects.filter(action="subject.updated").latest("id")
    assert event.details == {"fields": ["display_name", "phone"]}  # names, never values


def test_correction_refuses_unknown_fields_and_empty_changes(dw):
    request = dw.file("correction")
    with pytest.raises(ApplicationError, match="cannot be corrected"):
        dsr_request_complete(data_request=request, actor=DPO, changes={"pseudonym": "x"})
    with pytest.raises(ApplicationError, match="Nothing to correct"):
        dsr_request_complete(data_request=request, actor=DPO, changes={})
    request.refresh_from_db()
    assert request.is_open


def test_new_photo_queues_a_reenrollment_and_keeps_the_old_templates_meanwhile(dw, faces):
    put_face_data(dw)
    # The fixture's data key is random bytes; enrollment needs a real one, made on first use.
    SubjectKey.objects.filter(subject=dw.subject).delete()
    old = set(FaceTemplate.objects.filter(subject=dw.subject).values_list("public_id", flat=True))
    name = next(n for n, meta in faces.manifest.items() if _single_face(meta))
    request = dsr_request_complete(
        data_request=dw.file("correction"), actor=DPO, photo=faces.read(name)
    )
    new = Enrollment.objects.get(public_id=request.changes["reenrollment"])
    assert new.status == "queued" and new.pending_path and new.replace_existing
    assert request.changes["reenrollment_status"] == "queued"
    # The old templates go only with the new one stored (tests/recognition/test_reenrollment.py).
    assert (
        set(FaceTemplate.objects.filter(subject=dw.subject).values_list("public_id", flat=True))
        == old
    )
    assert not AuditEvent.objects.filter(action="recognition.template_deleted").exists()


def _single_face(meta) -> bool:
    if isinstance(meta, dict):
        return meta.get("faces") == 1
    return False
