"""No answer of the erasure and export flows shows a server path (issue 18).

The erasure report's files check named the store by its absolute MEDIA_ROOT; reports are handed
to people and exported, and a path tells an attacker the server's layout. Each flow runs here
through the API, and every answer, report and package is searched for the media root and the
project's own directory.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.actors import Actor
from governance.services.entrustment import entrustment_save
from tests.dsr.conftest import put_face_data

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/data-requests/"


@pytest.fixture(autouse=True)
def _reactions_inline(eager):
    """Consent reactions and the termination run execute in the commit callbacks."""


def _assert_no_server_path(text: str, where: str) -> None:
    media = str(Path(settings.MEDIA_ROOT).resolve())
    project = str(Path(settings.BASE_DIR).resolve())
    for secret in {media, str(settings.MEDIA_ROOT), project}:
        assert secret not in text, f"{where} shows the server path {secret}"


def _file_and_complete(client, dw, kind):
    pk = client.post(
        URL,
        {"subject": str(dw.subject.pseudonym), "kind": kind, "identity_check": "ID card"},
        format="json",
    ).json()["id"]
    done = client.post(f"{URL}{pk}/complete/", {}, format="json")
    assert done.status_code == 200, done.json()
    return pk, done


def test_access_and_erasure_answers_show_no_server_path(dw, world, api_as):
    put_face_data(dw)
    client = api_as(world.dpo)
    access, done = _file_and_complete(client, dw, "access")
    _assert_no_server_path(done.content.decode(), "the completed access request")
    package = client.get(f"{URL}{access}/package/")
    assert package.status_code == 200
    _assert_no_server_path(package.content.decode(), "the access package")

    erasure, done = _file_and_complete(client, dw, "erasure")
    report = done.json()["verification_report"]
    assert report["passed"] is True
    files = [c for c in report["checks"] if c["check"].startswith("files")]
    assert [c["table"] for c in files] == ["media:"]
    for answer in (done, client.get(f"{URL}{erasure}/"), client.get(URL)):
        _assert_no_server_path(answer.content.decode(), "the erasure request")


def test_subject_erasure_answer_shows_no_server_path(dw, world, api_as):
    put_face_data(dw)
    client = api_as(world.dpo)
    withdrawn = client.post(f"/api/v1/consents/{dw.consent.public_id}/withdraw/", format="json")
    assert withdrawn.status_code == 200, withdrawn.content
    answer = client.post(f"/api/v1/subjects/{dw.subject.pseudonym}/erase/")
    assert answer.status_code < 300, answer.content
    _assert_no_server_path(answer.content.decode(), "the subject erasure")


def test_termination_run_answers_and_report_show_no_server_path(dw, world, api_as):
    put_face_data(dw)
    pdf = SimpleUploadedFile("c.pdf", b"%PDF-1.4 contract", content_type="application/pdf")
    entrustment_save(
        organization=dw.org,
        actor=Actor(kind=Actor.USER, id="1", label="owner@acme.test"),
        upload=pdf,
        termination="delete",
        contract_reference="ENT-1",
        contract_date=datetime.date(2026, 1, 5),
        processing_purpose="Access control",
        duration="Until 2027",
        method="1:1 verification",
        data_types="Face templates",
        protection_measures="Encryption",
    )
    client = api_as(world.dpo, "acme")
    started = client.post("/api/v1/termination-run/", {"confirm": True}, format="json")
    assert started.status_code == 202, started.content
    status = client.get("/api/v1/termination-run/")
    report = client.get("/api/v1/termination-run/report/")
    assert report.status_code == 200
    rows = status.json()["report"]["tables"]
    assert "media:" in {row["table"] for row in rows}
    for answer, where in ((started, "start"), (status, "status"), (report, "report")):
        _assert_no_server_path(answer.content.decode(), f"the termination run's {where}")


def test_reports_stored_before_are_rewritten_without_the_path(dw):
    """dsr 0005 rewrites the files row of reports written with the absolute MEDIA_ROOT."""
    import importlib

    from django.apps import apps

    from dsr.models import DataRequest

    migration = importlib.import_module("dsr.migrations.0005_reports_without_server_paths")
    request = dw.file("erasure")
    old = {
        "passed": True,
        "checks": [
            {"check": "face templates", "table": "recognition_facetemplate", "count": 0},
            {"check": "files on disk under MEDIA_ROOT", "table": "/srv/media", "count": 0},
        ],
    }
    DataRequest.objects.filter(pk=request.pk).update(verification_report=old)
    migration.scrub_reports(apps, None)
    report = DataRequest.objects.get(pk=request.pk).verification_report
    assert [c["table"] for c in report["checks"]] == ["recognition_facetemplate", "media:"]
