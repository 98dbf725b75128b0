"""Erasure that can be proven: the database is inspected directly afterwards (R22, R47).

Every table that held the subject's rows is queried here with the ORM and raw SQL, apart from
the service's own verification report, which must agree.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from audit.actors import Actor
from audit.models import AuditEvent
from consent.models import Consent, ConsentEvent, ConsentReceipt, Subject
from dsr.errors import AlreadyDone, ErasureIncomplete
from dsr.models import DataRequest
from dsr.services.completion import dsr_request_complete
from dsr.services.erasure import legal_hold_lift
from recognition.blobs import blob_files
from recognition.models import (
    Enrollment,
    FaceTemplate,
    GalleryVersion,
    ProbeFace,
    ProbeImage,
    RawImage,
    RecognitionResult,
    SubjectKey,
)
from tests.dsr.conftest import put_face_data
from tests.factories import LegalHoldFactory

# Transactional: files are unlinked when the erasure commits, before the verification looks.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reactions_inline(eager):
    """Consent reactions (the withdrawal's purge) run in the commit callback, as on a worker."""


DPO = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")
IDENTIFIERS = ("Ann Example", "ann@example.test", "+86 139 0000 1111", "EMP-4711")


def _count(model, where: str, params) -> int:
    """Count rows of ``model``'s table with raw SQL (no manager, no default filtering)."""
    table = model if isinstance(model, str) else model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}", params)  # noqa: S608
        return cursor.fetchone()[0]


def _erase(dw, django_capture_on_commit_callbacks):
    request = dw.file("erasure", message="Please delete me, Ann Example")
    with django_capture_on_commit_callbacks(execute=True):
        request = dsr_request_complete(data_request=request, actor=DPO)
    return request


def test_erasure_leaves_nothing_in_any_table_or_store(dw, django_capture_on_commit_callbacks):
    put_face_data(dw, templates=3)
    subject, pseudonym = dw.subject, dw.subject.pseudonym
    assert len(blob_files()) == 3  # raw image, pending upload, probe image

    request = _erase(dw, django_capture_on_commit_callbacks)

    assert request.status == DataRequest.Status.COMPLETED
    assert request.outcome == "erased"
    # consent_subject: the row stays as a bare pseudonym (R16), every personal field blank.
    row = Subject.objects.filter(pk=subject.pk).values().get()
    assert row["erased_at"] is not None and row["pseudonym"] == pseudonym
    for field in ("display_name", "email", "phone", "external_ref"):
        assert row[field] == ""
    assert row["date_of_birth"] is None
    # consent_consent: kept as proof, withdrawn, identifying evidence blanked.
    consent = Consent.objects.filter(subject=subject).values().get()
    assert consent["state"] == "withdrawn"
    assert consent["ip"] is None and consent["user_agent"] == "" and consent["e_signature"] == ""
    # recognition: key destroyed, no template, raw image, pending upload, probe; results un-named.
    assert (
        _count(
            SubjectKey,
            "subject_id = %s AND wrapped IS NOT NULL",
            [subject.pk],
        )
        == 0
    )
    assert (
        _count(
            FaceTemplate,
            "subject_id = %s OR subject_pseudonym = %s",
            [subject.pk, pseudonym],
        )
        == 0
    )
    assert not RawImage.objects.filter(subject=subject).exists()
    assert not Enrollment.objects.filter(subject=subject).exclude(pending_path="").exists()
    assert not Enrollment.objects.filter(subject=subject, status="queued").exists()
    assert (
        _count(
            RecognitionResult,
            "subject_id = %s OR subject_pseudonym = %s",
            [subject.pk, pseudonym],
        )
        == 0
    )
    assert not ProbeFace.objects.filter(job__claimed_subject=subject).exists()
    assert not ProbeImage.objects.filter(job__claimed_subject=subject).exclude(path="").exists()
    # Files under MEDIA_ROOT: nothing left of the subject.
    assert blob_files() == []
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.bin"))
    # Kept by law, reduced to the pseudonym: no identifier in audit events, consent events,
    # receipts, or the request's own free text.
    assert DataRequest.objects.get(pk=request.pk).message == ""
    for value in IDENTIFIERS:
        for table, column in (
            (AuditEvent._meta.db_table, "details::text"),
            (AuditEvent._meta.db_table, "actor_label"),
            (ConsentEvent._meta.db_table, "reason"),
            (ConsentReceipt._meta.db_table, "body"),
            (DataRequest._meta.db_table, "message"),
        ):
            assert _count(table, f"{column} ILIKE %s", [f"%{value}%"]) == 0, (table, column)
    assert AuditEvent.objects.filter(subject_pseudonym=str(pseudonym)).exists()
    assert ConsentEvent.objects.filter(subject_pseudonym=pseudonym).count() == 2


def test_verification_report_lists_every_check_with_zero(dw, django_capture_on_commit_callbacks):
    put_face_data(dw)
    request = _erase(dw, django_capture_on_commit_callbacks)
    report = request.verification_report
    assert report["passed"] is True and report["left_behind"] == []
    tables = {c["table"] for c in report["checks"]}
    for model in (
        Subject,
        Consent,
        SubjectKey,
        FaceTemplate,
        RawImage,
        Enrollment,
        ProbeImage,
        ProbeFace,
        RecognitionResult,
        AuditEvent,
        ConsentEvent,
        ConsentReceipt,
    ):
        assert model._meta.db_table in tables
    assert "media:" in tables and settings.MEDIA_ROOT not in tables
    assert all(c["count"] == 0 for c in report["checks"])
    assert report["files_checked"] == 3  # raw image, pending upload, verification probe
    assert report["erased"]["key_destroyed"] is True
    assert report["erased"]["templates"] == 2


def test_erasure_invalidates_the_galleries(dw, django_capture_on_commit_callbacks):
    put_face_data(dw)
    before = GalleryVersion.objects.filter(purpose=dw.purpose).values_list("version", flat=True)
    before = max(before, default=0)
    _erase(dw, django_capture_on_commit_callbacks)
    assert GalleryVersion.objects.get(purpose=dw.purpose).version > before


def test_leftover_fails_loudly_and_keeps_the_request_open(
    dw, django_capture_on_commit_callbacks, monkeypatch
):
    put_face_data(dw)
    # A recognition erasure that does nothing (the withdrawal's purge still takes templates and
    # kept raw images, R22).
    monkeypatch.setattr(
        "dsr.services.erasure._biometrics_erase", lambda *, subject, actor: {"templates": 0}
    )
    request = dw.file("erasure")
    with (
        pytest.raises(ErasureIncomplete, match="left data behind: data key not destroyed"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dsr_request_complete(data_request=request, actor=DPO)
    request.refresh_from_db()
    assert request.status == DataRequest.Status.IN_PROGRESS
    report = request.verification_report
    assert report["passed"] is False
    counts = {c["check"]: c["count"] for c in report["checks"]}
    assert counts["data key not destroyed"] == 1
    assert counts["recognition results naming the subject"] == 1
    assert counts["pending enrollment uploads"] == 1
    assert counts["files on disk under MEDIA_ROOT"] == 1
    assert counts["raw images"] == 0
    assert AuditEvent.objects.filter(action="data_request.erasure_incomplete").exists()


def test_second_erasure_is_already_done_and_loses_nothing(dw, django_capture_on_commit_callbacks):
    put_face_data(dw)
    request = _erase(dw, django_capture_on_commit_callbacks)
    report = request.verification_report
    with pytest.raises(AlreadyDone, match="already completed"):
        dsr_request_complete(data_request=request, actor=DPO)
    request.refresh_from_db()
    assert request.verification_report == report


def test_r22_legal_hold_turns_erasure_into_restriction_until_lifted(
    dw, django_capture_on_commit_callbacks
):
    put_face_data(dw)
    hold = LegalHoldFactory(subject=dw.subject)
    request = _erase(dw, django_capture_on_commit_callbacks)
    assert request.outcome == "restricted_under_hold"
    assert "keep your data" in request.response
    dw.consent.refresh_from_db()
    assert dw.consent.state == "restricted"
    assert FaceTemplate.objects.filter(subject=dw.subject).count() == 2  # storage only
    with django_capture_on_commit_callbacks(execute=True):
        report = legal_hold_lift(hold=hold, actor=DPO)
    assert report["passed"] is True
    request.refresh_from_db()
    assert request.outcome == "erased"
    assert request.verification_report["passed"] is True
    assert not FaceTemplate.objects.filter(subject=dw.subject).exists()
    dw.subject.refresh_from_db()
    assert dw.subject.is_erased
