"""R51: the termination run is carried out by a real Celery worker over the broker."""

import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.actors import Actor
from dsr.models import TerminationRun
from dsr.services.termination import termination_start
from governance.services.entrustment import entrustment_save
from recognition.blobs import blob_files
from recognition.models import FaceTemplate
from tests.dsr.conftest import put_face_data

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

OWNER = Actor(kind=Actor.USER, id="1", label="owner@acme.test")


@pytest.fixture
def worker_media(settings, monkeypatch):
    """The worker process deletes files under this test's own MEDIA_ROOT, not the checkout's."""
    monkeypatch.setenv("MEDIA_ROOT", settings.MEDIA_ROOT)


def _wait_for(condition, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_r51_termination_runs_on_a_real_worker(dw, worker_media, live_worker):
    pdf = SimpleUploadedFile("contract.pdf", b"%PDF-1.4 contract", content_type="application/pdf")
    entrustment_save(
        organization=dw.org,
        actor=OWNER,
        upload=pdf,
        contract_reference="ENT-1",
        contract_date=datetime.date(2026, 1, 5),
        processing_purpose="Access control",
        duration="Two years",
        method="1:1 verification",
        data_types="Face templates, names",
        protection_measures="Encryption at rest",
        termination="delete",
    )
    put_face_data(dw, templates=2)
    assert len(blob_files()) == 3

    run = termination_start(organization=dw.org, actor=OWNER)

    assert _wait_for(lambda: TerminationRun.objects.get(pk=run.pk).is_finished), (
        "the worker did not finish the run"
    )
    run.refresh_from_db()
    assert run.status == TerminationRun.Status.COMPLETED, run.report
    assert run.attempts == 1 and run.lease_until is None
    rows = {row["what"]: row for row in run.report["tables"]}
    assert rows["face templates"]["before"] == 2 and rows["face templates"]["after"] == 0
    assert rows["files on disk"]["before"] == 3 and rows["files on disk"]["after"] == 0
    assert not FaceTemplate.objects.filter(organization=dw.org).exists()
    assert blob_files() == []
