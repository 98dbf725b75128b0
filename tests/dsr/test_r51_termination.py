"""R51: when the entrustment ends, the termination run returns or deletes the data and proves it.

The run is started by the one service (panel, API, management command), carried out by the
worker's task through the outbox, and judged by its report: counts before and after per table,
every subject's erasure verified, and the audit chain verified.
"""

import datetime
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from audit.actors import Actor
from audit.models import AuditEvent
from consent.models import Subject
from dsr.models import TerminationRun
from dsr.services.termination import TOPIC, termination_run_execute, termination_start
from dsr.tasks import run_termination
from governance.compliance import organization_compliance
from governance.models import Complaint
from governance.rulebook import State
from governance.services.entrustment import entrustment_save
from outbox.models import OutboxEvent
from recognition.blobs import blob_files
from recognition.models import FaceTemplate, RawImage
from tenants.errors import Conflict
from tests.dsr.conftest import put_face_data
from tests.factories import LegalHoldFactory, SubjectFactory

# Transactional: files are unlinked when each subject's erasure commits.
pytestmark = pytest.mark.django_db(transaction=True)

OWNER = Actor(kind=Actor.USER, id="1", label="owner@acme.test")
CONTRACT = {
    "contract_reference": "ENT-2026-01",
    "contract_date": datetime.date(2026, 1, 5),
    "processing_purpose": "Access control at our sites",
    "duration": "Until 31 December 2027",
    "method": "1:1 verification and 1:N identification on the portal",
    "data_types": "Face templates, names, employee numbers",
    "protection_measures": "Encryption at rest, RLS, audit log",
}


@pytest.fixture(autouse=True)
def _reactions_inline(eager):
    """The run's task (and consent reactions) run in the commit callbacks, as on a worker."""


def _contract(org, termination: str):
    pdf = SimpleUploadedFile("contract.pdf", b"%PDF-1.4 contract", content_type="application/pdf")
    return entrustment_save(
        organization=org, actor=OWNER, upload=pdf, termination=termination, **CONTRACT
    )


def _complaint(dw):
    return Complaint.objects.create(
        organization=dw.org,
        deployment=dw.deployment,
        message="The camera at gate 2 filmed me, Bob Sample",
        contact_name="Bob Sample",
        contact_email="bob@example.test",
        deadline=datetime.date(2026, 2, 1),
    )


def _world(dw):
    put_face_data(dw, templates=2)
    second = SubjectFactory(organization=dw.org, display_name="Carl Second", email="c@x.test")
    put_face_data(dw, templates=1, subject=second)
    _complaint(dw)
    return second


def _start(org, capture):
    with capture(execute=True):
        return termination_start(organization=org, actor=OWNER)


def _r51(org):
    rows = {row.rule.id: row for row in organization_compliance(organization=org)["rules"]}
    return rows["R51"].result


def _before(run, what):
    return next(row["count"] for row in run.counts_before if row["what"] == what)


def test_r51_delete_run_erases_every_subject_and_reports_counts_before_and_after(
    dw, django_capture_on_commit_callbacks
):
    _contract(dw.org, "delete")
    _world(dw)
    assert _r51(dw.org).state == State.MET

    run = _start(dw.org, django_capture_on_commit_callbacks)
    run.refresh_from_db()

    assert run.status == TerminationRun.Status.COMPLETED, run.report
    report = run.report
    assert report["passed"] is True and report["left_behind"] == []
    tables = {row["what"]: row for row in report["tables"]}
    assert tables["face templates"]["before"] == 3 and tables["face templates"]["after"] == 0
    assert tables["raw images"]["before"] == 2 and tables["raw images"]["after"] == 0
    assert tables["subjects with personal fields"]["before"] == 2
    assert tables["complainants' names, contacts and messages"]["before"] == 1
    assert tables["files on disk"]["before"] == 6
    assert all(row["after"] == 0 for row in report["tables"])
    assert report["subjects"] == {"verified": 2, "failed": []}
    assert report["audit_chain"]["ok"] is True and report["audit_chain"]["checked"] > 0
    assert report["package"] is None and not run.package
    # The database itself agrees with the report.
    assert not FaceTemplate.objects.filter(organization=dw.org).exists()
    assert not RawImage.objects.filter(organization=dw.org).exists()
    assert blob_files() == []
    assert not Subject.objects.filter(organization=dw.org, erased_at__isnull=True).exists()
    assert Complaint.objects.get().contact_email == ""
    assert AuditEvent.objects.filter(action="termination.completed").count() == 1
    result = _r51(dw.org)
    assert result.state == State.MET and "nothing left" in result.message


def test_r51_return_run_hands_over_a_package_then_deletes(dw, django_capture_on_commit_callbacks):
    _contract(dw.org, "return")
    second = _world(dw)

    run = _start(dw.org, django_capture_on_commit_callbacks)
    run.refresh_from_db()

    assert run.status == TerminationRun.Status.COMPLETED and run.report["passed"] is True
    assert run.mode == "return" and len(run.package_sha256) == 64
    with run.package.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    names = set(archive.namelist())
    assert {"manifest.json", "complaints.json"} <= names
    assert f"subjects/{dw.subject.pseudonym}.json" in names
    assert f"subjects/{second.pseudonym}.json" in names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["subjects"] == 2 and manifest["contract_reference"] == "ENT-2026-01"
    # The data as it was before deletion: the person's own access package, names included.
    person = json.loads(archive.read(f"subjects/{dw.subject.pseudonym}.json"))
    assert person["profile"]["display_name"] == "Ann Example"
    assert person["consents"][0]["purpose"] == "Office gate"
    assert "Bob Sample" in archive.read("complaints.json").decode()
    assert run.report["package"]["sha256"] == run.package_sha256
    # The portal still holds the package: R51 is not met until its receipt is confirmed.
    assert _r51(dw.org).state == State.UNMET
    from dsr.services.termination_package import termination_package_delete

    with django_capture_on_commit_callbacks(execute=True):
        termination_package_delete(run=run, actor=OWNER)
    run.refresh_from_db()
    assert not run.package and run.package_deleted_at is not None
    assert _r51(dw.org).state == State.MET


def test_r51_worker_task_is_idempotent(dw, django_capture_on_commit_callbacks):
    _contract(dw.org, "delete")
    _world(dw)
    run = _start(dw.org, django_capture_on_commit_callbacks)
    event = OutboxEvent.objects.get(topic=TOPIC)
    assert event.done_at is not None
    run.refresh_from_db()
    first = run.report
    # A redelivery of the same event, and a second start, change nothing.
    assert run_termination.apply(args=[event.pk, dw.org.pk]).get() == "done"
    again = _start(dw.org, django_capture_on_commit_callbacks)
    assert again.pk == run.pk
    run.refresh_from_db()
    assert run.report == first and run.attempts == 1
    assert TerminationRun.objects.count() == 1
    assert AuditEvent.objects.filter(action="termination.completed").count() == 1


def test_r51_a_crashed_run_resumes_after_its_lease(
    dw, django_capture_on_commit_callbacks, monkeypatch
):
    """A worker died holding the run: the next delivery waits for the lease, then finishes it."""
    from django.utils import timezone

    from outbox import services as outbox_services

    _contract(dw.org, "delete")
    _world(dw)
    # The broker is down: the event stays pending (the beat would hand it over later).
    monkeypatch.setattr(outbox_services, "event_dispatch", lambda *, event_id: False)
    run = termination_start(organization=dw.org, actor=OWNER)
    event = OutboxEvent.objects.get(topic=TOPIC)
    TerminationRun.objects.filter(pk=run.pk).update(
        status="running", attempts=1, lease_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert termination_run_execute(event_id=event.pk, organization_id=dw.org.pk) == "held"
    TerminationRun.objects.filter(pk=run.pk).update(lease_until=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        status = termination_run_execute(event_id=event.pk, organization_id=dw.org.pk)
    assert status == "completed"
    run.refresh_from_db()
    assert run.attempts == 2 and run.report["passed"] is True


def test_r51_termination_refuses_an_incomplete_contract_and_a_legal_hold(dw):
    with pytest.raises(Conflict, match="contract in full"):
        termination_start(organization=dw.org, actor=OWNER)
    _contract(dw.org, "delete")
    LegalHoldFactory(subject=dw.subject)
    with pytest.raises(Conflict, match="legal hold") as caught:
        termination_start(organization=dw.org, actor=OWNER)
    assert caught.value.details == {"legal_holds": 1}
    assert not TerminationRun.objects.exists()


def test_r51_data_stored_after_the_run_makes_the_row_unmet(dw, django_capture_on_commit_callbacks):
    _contract(dw.org, "delete")
    _start(dw.org, django_capture_on_commit_callbacks)
    assert _r51(dw.org).state == State.MET
    SubjectFactory(organization=dw.org, display_name="Late Comer")
    result = _r51(dw.org)
    assert result.state == State.UNMET and "after the termination" in result.message


def test_r51_api_answers_202_with_the_status_resource_and_only_owner_or_dpo_start(
    dw, world, api_as, django_capture_on_commit_callbacks
):
    _contract(dw.org, "delete")
    put_face_data(dw)
    assert api_as(world.operator, "acme").post("/api/v1/termination-run/", {}).status_code == 403
    dpo = api_as(world.dpo, "acme")
    refused = dpo.post("/api/v1/termination-run/", {"confirm": False}, format="json")
    assert refused.status_code == 400 and "confirm" in json.dumps(refused.json())
    assert dpo.get("/api/v1/termination-run/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        answer = dpo.post("/api/v1/termination-run/", {"confirm": True}, format="json")
    assert answer.status_code == 202, answer.content
    assert answer["Location"].endswith("/api/v1/termination-run/")
    status = api_as(world.auditor, "acme").get("/api/v1/termination-run/").json()
    assert status["status"] == "completed" and status["proves_termination"] is True
    report = dpo.get("/api/v1/termination-run/report/")
    assert report.status_code == 200 and json.loads(report.content)["passed"] is True
    assert dpo.get("/api/v1/termination-run/package/").status_code == 404
    # Another organization sees no run of this one (its own has none).
    assert api_as(world.outsider, "other").get("/api/v1/termination-run/").status_code == 404


def test_r51_panel_confirm_step_then_report(
    dw, world, panel_as, django_capture_on_commit_callbacks
):
    _contract(dw.org, "return")
    put_face_data(dw)
    url = "/o/acme/entrustment/end/"
    page = panel_as(world.dpo).get(url)
    assert page.status_code == 200 and b"face templates" in page.content
    assert (
        panel_as(world.operator).post(url, {"slug": "acme", "understood": "on"}).status_code == 403
    )
    wrong = panel_as(world.owner).post(url, {"slug": "acm", "understood": "on"})
    assert wrong.status_code == 200 and not TerminationRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = panel_as(world.owner).post(url, {"slug": "acme", "understood": "on"})
    assert done.status_code == 302
    page = panel_as(world.owner).get(url)
    assert b"Download the return package" in page.content
    assert b"The portal deletes this package on" in page.content
    assert panel_as(world.owner).get(url + "report.json").status_code == 200
    package = panel_as(world.owner).get(url + "package/")
    assert package.status_code == 200 and package["Content-Type"] == "application/zip"
    assert panel_as(world.auditor).get(url + "package/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        panel_as(world.owner).post(url + "package/")
    assert TerminationRun.objects.get().package_deleted_at is not None
    assert panel_as(world.outsider).get(url).status_code == 404


def test_r51_management_command_runs_the_same_service(dw, capsys):
    _contract(dw.org, "delete")
    put_face_data(dw)
    call_command("terminate_entrustment", "--org", "acme", "--confirm", "--now")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "completed" and out["report"]["passed"] is True


def test_r51_a_failed_attempt_is_recorded_and_the_retry_finishes(
    dw, django_capture_on_commit_callbacks, monkeypatch
):
    from dsr.services import termination as service
    from outbox import services as outbox_services

    _contract(dw.org, "delete")
    _world(dw)
    monkeypatch.setattr(outbox_services, "event_dispatch", lambda *, event_id: False)
    run = termination_start(organization=dw.org, actor=OWNER)
    event = OutboxEvent.objects.get(topic=TOPIC)
    erase = service.complaints_personal_data_erase

    def broken(**kwargs):
        raise RuntimeError("mail server gone")

    monkeypatch.setattr(service, "complaints_personal_data_erase", broken)
    with pytest.raises(RuntimeError, match="mail server gone"):
        termination_run_execute(event_id=event.pk, organization_id=dw.org.pk)
    run.refresh_from_db()
    assert run.status == "running" and run.lease_until is None
    assert "mail server gone" in run.last_error
    monkeypatch.setattr(service, "complaints_personal_data_erase", erase)
    with django_capture_on_commit_callbacks(execute=True):
        assert termination_run_execute(event_id=event.pk, organization_id=dw.org.pk) == "completed"
    run.refresh_from_db()
    assert run.attempts == 2 and run.last_error == "" and run.report["passed"] is True
    assert run.report["subjects"]["verified"] == 2
