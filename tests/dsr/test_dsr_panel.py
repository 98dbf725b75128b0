"""The DPO's queue in the panel: each request type, actions, roles and isolation."""

import pytest

from consent.models import Consent
from dsr.models import DataRequest
from tests.conftest import ROLES
from tests.dsr.conftest import put_face_data
from tests.factories import DataRequestFactory

ALLOWED = {"owner": 200, "dpo": 200, "operator": 403, "auditor": 403}


def _step(client, row, step, **data):
    return client.post(f"/o/acme/dsr/{row.pk}/{step}/", data, follow=True)


@pytest.mark.parametrize("role", ROLES)
def test_queue_and_detail_by_role(dw, world, panel_as, role):
    row = DataRequestFactory(subject=dw.subject)
    client = panel_as(world.user(role))
    assert client.get("/o/acme/dsr/").status_code == ALLOWED[role]
    assert client.get(f"/o/acme/dsr/{row.pk}/").status_code == ALLOWED[role]
    assert client.post(f"/o/acme/dsr/{row.pk}/start/").status_code in (ALLOWED[role], 302)


def test_outsider_gets_404_and_nothing_changes(dw, world, panel_as):
    row = DataRequestFactory(subject=dw.subject)
    client = panel_as(world.outsider)
    assert client.get("/o/acme/dsr/").status_code == 404
    assert client.post(f"/o/acme/dsr/{row.pk}/complete/").status_code == 404
    # Their own organization does not see acme's request either.
    assert client.get(f"/o/other/dsr/{row.pk}/").status_code == 404
    row.refresh_from_db()
    assert row.status == "identity_verified"


def test_queue_shows_deadlines_and_dashboard_figures(dw, world, panel_as):
    dw.file("access")
    client = panel_as(world.dpo)
    page = client.get("/o/acme/dsr/").content.decode()
    assert "See my data" in page and "1 open" in page
    dashboard = client.get("/o/acme/").content.decode()
    assert "open data-subject requests" in dashboard
    assert "Data-subject requests" in dashboard  # nav link


def test_staff_file_on_behalf_records_identity_check(dw, world, panel_as):
    client = panel_as(world.dpo)
    response = client.post(
        "/o/acme/dsr/new/",
        {
            "subject": str(dw.subject.pseudonym),
            "kind": "restriction",
            "message": "Asked at reception",
            "identity_check": "National ID card seen",
            "language": "zh-hans",
        },
    )
    row = DataRequest.objects.get()
    assert response.status_code == 302
    assert row.channel == "staff" and row.identity_check == "National ID card seen"
    assert row.language == "zh-hans"
    missing = client.post(
        "/o/acme/dsr/new/",
        {"subject": str(dw.subject.pseudonym), "kind": "access", "language": "en"},
    )
    assert missing.status_code == 200 and DataRequest.objects.count() == 1


def test_panel_handles_each_type(dw, world, panel_as):
    client = panel_as(world.dpo)
    for kind, outcome in (
        ("access", "exported"),
        ("portability", "exported"),
        ("explanation", "explained"),
        ("objection", "objection_recorded"),
        ("restriction", "restricted"),
    ):
        row = dw.file(kind)
        page = _step(client, row, "complete", response="")
        assert "Request completed." in page.content.decode(), kind
        row.refresh_from_db()
        assert row.outcome == outcome
    row = dw.file("correction")
    _step(client, row, "complete", email="ann.new@example.test")
    dw.subject.refresh_from_db()
    assert dw.subject.email == "ann.new@example.test"
    exported = DataRequest.objects.filter(kind="access").get()
    package = client.get(f"/o/acme/dsr/{exported.pk}/package.json")
    assert package.status_code == 200 and package.json()["profile"]["pseudonym"]
    dw.consent.refresh_from_db()
    assert dw.consent.state == Consent.State.RESTRICTED


def test_panel_extend_reject_and_identity_steps(dw, world, panel_as):
    client = panel_as(world.owner)
    row = DataRequestFactory(subject=dw.subject, status="received", identity_check="")
    assert "Verify the person" in _step(client, row, "start").content.decode()
    _step(client, row, "verify-identity", check="Video call")
    _step(client, row, "start")
    row.refresh_from_db()
    assert row.status == "in_progress"
    page = _step(client, row, "extend", reason="").content.decode()
    assert "Give the reason" in page
    _step(client, row, "extend", reason="Archive search")
    _step(client, row, "reject", reason="Manifestly unfounded")
    row.refresh_from_db()
    assert row.status == "rejected" and "court" in row.response
    page = _step(client, row, "complete").content.decode()
    assert "already rejected" in page


@pytest.mark.django_db(transaction=True)
def test_panel_erasure_shows_the_verification_report(dw, world, panel_as):
    put_face_data(dw)
    client = panel_as(world.dpo)
    row = dw.file("erasure")
    page = _step(client, row, "complete").content.decode()
    assert "Passed: nothing of the person is left." in page
    assert "recognition_facetemplate" in page
    page = _step(client, row, "complete").content.decode()
    assert "already completed" in page


def test_legal_hold_from_the_panel(dw, world, panel_as):
    client = panel_as(world.dpo)
    row = dw.file("erasure")
    _step(client, row, "hold", reason="Court order 2026-17")
    page = _step(client, row, "complete").content.decode()
    row.refresh_from_db()
    assert row.outcome == "restricted_under_hold"
    assert "Court order 2026-17" in page


def test_deadline_settings_page(dw, world, panel_as):
    client = panel_as(world.dpo)
    assert client.get("/o/acme/dsr/settings/").status_code == 200
    client.post("/o/acme/dsr/settings/", {"response_days": 20, "due_soon_days": 3})
    request = dw.file("access")
    request.refresh_from_db()
    assert (request.due_at - request.created_at).days == 20
    assert panel_as(world.operator).get("/o/acme/dsr/settings/").status_code == 403
