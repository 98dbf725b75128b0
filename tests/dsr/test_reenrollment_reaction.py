"""A correction's re-enrollment outcome reaches its request through the outbox (issue 14).

Recognition records ``recognition.enrollment_finished`` in the enrollment's finishing
transaction; dsr's task reacts after the commit (eager here: inside the commit callback),
exactly once however often the event is delivered, and retried until it is done.
"""

import pytest
from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.models import AuditEvent
from dsr.services.completion import dsr_request_complete
from dsr.tasks import react_to_enrollment
from outbox.models import OutboxEvent
from outbox.services import event_dispatch
from recognition.models import Enrollment, SubjectKey
from recognition.services.enrollment_events import enrollment_finished_record
from tests.dsr.conftest import put_face_data

DPO = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")
WORKER = Actor.system("enrollment worker")


@pytest.fixture
def queued(dw, faces):
    """A correction request whose new photo is queued for re-enrollment (worker not run)."""
    put_face_data(dw)
    SubjectKey.objects.filter(subject=dw.subject).delete()
    name = next(
        n for n, meta in faces.manifest.items() if isinstance(meta, dict) and meta.get("faces") == 1
    )
    request = dsr_request_complete(
        data_request=dw.file("correction"), actor=DPO, photo=faces.read(name)
    )
    enrollment = Enrollment.objects.get(public_id=request.changes["reenrollment"])
    return request, enrollment


def _finish_failed(enrollment, django_capture_on_commit_callbacks):
    # What the worker's _fail does in its transaction, then the commit runs the dispatch.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enrollment.status = Enrollment.Status.FAILED
        enrollment.error_code, enrollment.error_message = "no_face", "No face was found."
        enrollment.save()
        enrollment_finished_record(enrollment=enrollment, replaced=[], actor=WORKER)
    return OutboxEvent.objects.get(topic="recognition.enrollment_finished")


def _recorded():
    return AuditEvent.objects.filter(action="data_request.reenrollment_recorded")


def test_the_outcome_is_recorded_once_however_often_the_event_is_dispatched(
    dw, queued, eager, django_capture_on_commit_callbacks
):
    request, enrollment = queued

    event = _finish_failed(enrollment, django_capture_on_commit_callbacks)

    event.refresh_from_db()
    assert event.done_at is not None and event.done_by == ["dsr.react_to_enrollment"]
    assert event.payload["actor"]["label"] == "enrollment worker"
    request.refresh_from_db()
    assert request.changes["reenrollment_status"] == "failed"
    assert request.changes["reenrollment_error"]["code"] == "no_face"
    # Delivered again (a redispatch, a duplicate from the broker): nothing changes.
    assert event_dispatch(event_id=event.pk)
    assert (
        react_to_enrollment.apply(kwargs={"event_id": event.pk, "organization_id": dw.org.pk}).get()
        is False
    )
    recorded = _recorded().get()
    assert recorded.actor_label == "enrollment worker"
    assert recorded.details["reenrollment_status"] == "failed"


def test_the_record_itself_is_idempotent(dw, queued):
    from dsr.services.correction import dsr_correction_reenrollment_record

    request, enrollment = queued
    enrollment.status = Enrollment.Status.SUCCEEDED
    enrollment.save()
    for _ in range(2):
        dsr_correction_reenrollment_record(enrollment=enrollment, replaced=["t1"], actor=WORKER)
    request.refresh_from_db()
    assert request.changes["templates_replaced"] == ["t1"]
    assert _recorded().count() == 1


def test_a_failing_reaction_stays_pending_with_its_error_and_a_redispatch_completes_it(
    dw, queued, eager, django_capture_on_commit_callbacks, monkeypatch
):
    request, enrollment = queued
    from dsr.services import reenrollment

    def database_hiccup(**kwargs):
        raise RuntimeError("requests table locked out")

    with monkeypatch.context() as patch:
        patch.setattr(reenrollment, "dsr_correction_reenrollment_record", database_hiccup)
        event = _finish_failed(enrollment, django_capture_on_commit_callbacks)

    # The enrollment's outcome committed; the request has not learnt it yet, the event says why.
    event.refresh_from_db()
    assert event.done_at is None and "requests table locked out" in event.last_error
    request.refresh_from_db()
    assert request.changes["reenrollment_status"] == "queued"
    assert not _recorded().exists()

    # The beat task (events_redispatch_due) hands it over again: the reaction completes, once.
    assert event.next_attempt_at > timezone.now()  # backoff: not due at once
    assert event_dispatch(event_id=event.pk)
    event.refresh_from_db()
    assert event.done_at is not None and event.last_error == ""
    request.refresh_from_db()
    assert request.changes["reenrollment_status"] == "failed"
    assert _recorded().count() == 1
    assert event_dispatch(event_id=event.pk)  # a late duplicate finds it done
    assert _recorded().count() == 1
