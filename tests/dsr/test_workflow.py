"""The requests workflow: intake, identity, start, extension, rejection, duplicates (R49, R50)."""

import pytest
from django.core import mail

from audit.actors import Actor
from audit.models import AuditEvent
from dsr.errors import AlreadyDone
from dsr.models import DataRequest
from dsr.services.completion import dsr_request_complete
from dsr.services.filing import dsr_request_file
from dsr.services.workflow import (
    dsr_identity_verify,
    dsr_request_extend,
    dsr_request_reject,
    dsr_request_start,
)
from tenants.errors import ApplicationError, Conflict

STAFF = Actor(kind=Actor.USER, id="1", label="dpo@acme.test")


def _actions(request):
    return list(
        AuditEvent.objects.filter(target_type="data_request", target_id=str(request.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_self_service_request_is_identity_verified_with_a_deadline(dw):
    request = dw.file("access")
    request.refresh_from_db()
    assert request.status == DataRequest.Status.IDENTITY_VERIFIED
    assert request.identity_check == "signed in on the self-service pages"
    assert request.due_at == request.first_due_at
    assert (request.due_at - request.created_at).days == 30
    assert _actions(request) == ["data_request.filed", "data_request.received"]


def test_staff_must_record_the_identity_check(dw):
    with pytest.raises(ApplicationError, match="identity"):
        dsr_request_file(subject=dw.subject, kind="access", channel="staff", actor=STAFF)
    request = dsr_request_file(
        subject=dw.subject,
        kind="access",
        channel="staff",
        actor=STAFF,
        identity_check="ID card seen at reception",
    )
    assert request.status == DataRequest.Status.IDENTITY_VERIFIED
    assert request.identity_verified_by == "dpo@acme.test"


def test_api_request_waits_for_identity_before_it_can_be_handled(dw):
    request = dsr_request_file(subject=dw.subject, kind="restriction", channel="api", actor=STAFF)
    assert request.status == DataRequest.Status.RECEIVED
    with pytest.raises(Conflict, match="identity"):
        dsr_request_start(data_request=request, actor=STAFF)
    with pytest.raises(Conflict, match="identity"):
        dsr_request_complete(data_request=request, actor=STAFF)
    with pytest.raises(ApplicationError, match="Describe"):
        dsr_identity_verify(data_request=request, actor=STAFF, check=" ")
    request = dsr_identity_verify(data_request=request, actor=STAFF, check="Video call, ID shown")
    request = dsr_request_start(data_request=request, actor=STAFF)
    assert request.status == DataRequest.Status.IN_PROGRESS
    assert "data_request.identity_verified" in _actions(request)
    assert "data_request.started" in _actions(request)


def test_duplicate_request_is_linked_to_the_open_one_and_answered_with_it(dw):
    first = dw.file("explanation")
    second = dw.file("explanation")
    other_kind = dw.file("access")
    second.refresh_from_db()
    other_kind.refresh_from_db()
    assert second.duplicate_of_id == first.pk
    assert other_kind.duplicate_of_id is None
    dsr_request_complete(data_request=first, actor=STAFF)
    second.refresh_from_db()
    assert second.status == DataRequest.Status.COMPLETED
    assert second.outcome == f"answered_with_{first.pk}"


def test_r49_rejection_needs_a_reason_and_tells_of_complaint_and_court(dw):
    request = dw.file("erasure")
    with pytest.raises(ApplicationError, match="reason"):
        dsr_request_reject(data_request=request, actor=STAFF, reason="")
    mail.outbox.clear()
    request = dsr_request_reject(
        data_request=request, actor=STAFF, reason="You are not a person we hold data about."
    )
    assert request.status == DataRequest.Status.REJECTED
    assert "You are not a person" in request.response
    assert "court" in request.response and "complain" in request.response
    assert "PIPL Art. 50" in request.response
    assert "data_request.rejected" in _actions(request)


def test_r50_extension_tells_the_person_why_before_the_first_deadline(dw):
    request = dw.file("access")
    request.refresh_from_db()
    first_due = request.due_at
    mail.outbox.clear()
    with pytest.raises(ApplicationError, match="reason"):
        dsr_request_extend(data_request=request, actor=STAFF, reason="")
    request = dsr_request_extend(
        data_request=request, actor=STAFF, reason="Records are spread over three sites."
    )
    assert request.status == DataRequest.Status.EXTENDED
    assert (request.due_at - first_due).days == 30
    assert request.extension_notified_at is not None
    with pytest.raises(Conflict, match="already extended"):
        dsr_request_extend(data_request=request, actor=STAFF, reason="again")


def test_extension_mail_reaches_the_person(dw, django_capture_on_commit_callbacks):
    request = dw.file("access")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dsr_request_extend(data_request=request, actor=STAFF, reason="Three sites to search.")
    assert mail.outbox[0].to == ["ann@example.test"]
    assert "Three sites to search." in mail.outbox[0].body


def test_no_extension_after_the_first_deadline(dw, time_machine):
    request = dw.file("access")
    request.refresh_from_db()
    time_machine.move_to(request.due_at + (request.due_at - request.created_at) / 10)
    with pytest.raises(Conflict, match="first deadline has passed"):
        dsr_request_extend(data_request=request, actor=STAFF, reason="late")


def test_a_completed_request_is_already_done_and_nothing_changes(dw):
    request = dw.file("explanation")
    request = dsr_request_complete(data_request=request, actor=STAFF, response="Here it is.")
    assert request.status == DataRequest.Status.COMPLETED
    assert request.response.startswith("Here it is.")
    for call in (
        lambda: dsr_request_complete(data_request=request, actor=STAFF),
        lambda: dsr_request_reject(data_request=request, actor=STAFF, reason="x"),
        lambda: dsr_request_extend(data_request=request, actor=STAFF, reason="x"),
    ):
        with pytest.raises(AlreadyDone, match="already completed"):
            call()
    request.refresh_from_db()
    assert request.status == DataRequest.Status.COMPLETED


def test_r48_explanation_is_answered_from_the_published_notice(dw):
    request = dw.file("explanation", language="zh-hans")
    request = dsr_request_complete(data_request=request, actor=STAFF)
    assert "开启办公室门禁。" in request.response
    assert request.outcome == "explained"


def test_r43_objection_routes_the_person_to_human_review(dw):
    request = dw.file("objection")
    dsr_request_complete(data_request=request, actor=STAFF)
    dw.subject.refresh_from_db()
    assert dw.subject.objects_to_automated_decisions is True
    assert AuditEvent.objects.filter(action="subject.objected_to_automated_decisions").exists()


def test_erased_subject_cannot_file_again(dw):
    from consent.services import consent_withdraw, subject_erase

    consent_withdraw(consent=dw.consent, actor=STAFF, channel="api")
    subject_erase(subject=dw.subject, actor=STAFF)
    dw.subject.refresh_from_db()
    with pytest.raises(Conflict, match="erased"):
        dw.file("erasure")
