"""Complaints anyone may file about a deployment from its public page (R52)."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from governance.compliance import organization_compliance
from governance.models import Complaint
from governance.rulebook import State
from governance.services.complaints import complaint_answer, complaint_file
from tenants.errors import ApplicationError
from tests.factories import DeploymentFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_pace():
    # The per-address pace lives in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


def _form_url(deployment):
    return reverse("governance:complaint", args=[deployment.organization.slug, deployment.pk])


def _r52(org):
    rows = {row.rule.id: row for row in organization_compliance(organization=org)["rules"]}
    return rows["R52"].result


def test_R52_public_page_of_the_sign_links_to_the_complaint_form(world, client):
    deployment = make_ready(world.org)
    page = client.get(
        reverse("consent:deployment", args=[world.org.slug, deployment.pk])
    ).content.decode()
    assert _form_url(deployment) in page


def test_R52_complaint_filed_without_sign_in_is_stored_audited_and_mailed(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    world.dpo.email = "dpo@acme.test"
    world.dpo.save()
    deployment = make_ready(world.org)
    assert client.get(_form_url(deployment)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _form_url(deployment),
            {"message": "The camera films the street.", "contact_email": "me@example.test"},
        )
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.organization == world.org and complaint.deployment == deployment
    assert complaint.state == Complaint.State.OPEN
    assert complaint.deadline > timezone.localdate()
    assert str(complaint.pk) in response.content.decode()
    assert AuditEvent.objects.filter(
        organization_id=world.org.pk, action="complaint.received", target_id=str(complaint.pk)
    ).exists()
    assert any("dpo@acme.test" in m.to for m in mailoutbox)
    assert any("The camera films the street." in m.body for m in mailoutbox)


def test_R52_deadline_is_fifteen_working_days(world):
    deployment = make_ready(world.org)
    complaint = complaint_file(deployment=deployment, message="x")
    # 15 PRC working days are at least three calendar weeks.
    assert complaint.deadline >= timezone.localdate() + datetime.timedelta(days=21)


def test_R52_form_is_csrf_protected(world):
    from django.test import Client

    deployment = make_ready(world.org)
    response = Client(enforce_csrf_checks=True).post(_form_url(deployment), {"message": "x"})
    assert response.status_code == 403
    assert not Complaint.objects.exists()


def test_R52_empty_complaint_is_refused(world, client):
    deployment = make_ready(world.org)
    response = client.post(_form_url(deployment), {"message": "  "})
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_R52_one_address_is_paced(world, client, settings):
    settings.COMPLAINT_PER_IP = 2
    deployment = make_ready(world.org)
    for _ in range(2):
        assert client.post(_form_url(deployment), {"message": "x"}).status_code == 200
    response = client.post(_form_url(deployment), {"message": "x"})
    assert response.status_code == 429
    assert Complaint.objects.count() == 2
    other = client.post(_form_url(deployment), {"message": "x"}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200


def test_R52_form_is_in_chinese(world, client):
    deployment = make_ready(world.org)
    page = client.get(_form_url(deployment), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert page["Content-Language"].lower().startswith("zh")


def test_R52_retired_or_other_org_deployment_has_no_form(world, client):
    other = DeploymentFactory(organization=world.outsider_org)
    assert (
        client.get(reverse("governance:complaint", args=[world.org.slug, other.pk])).status_code
        == 404
    )
    retired = DeploymentFactory(organization=world.org, status="retired")
    assert client.get(_form_url(retired)).status_code == 404


def test_R52_answer_closes_and_mails_the_complainant(
    world, actor, mailoutbox, django_capture_on_commit_callbacks
):
    complaint = complaint_file(
        deployment=make_ready(world.org), message="x", contact_email="me@example.test"
    )
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_answer(complaint=complaint, actor=actor, answer="Fixed.", close=True)
    assert complaint.state == Complaint.State.CLOSED and complaint.closed_at
    assert any(m.to == ["me@example.test"] and "Fixed." in m.body for m in mailoutbox)
    assert AuditEvent.objects.filter(action="complaint.answered").exists()
    with pytest.raises(ApplicationError):
        complaint_answer(complaint=complaint, actor=actor, answer="Again.")


def test_R52_compliance_met_with_intake_and_unmet_when_a_complaint_is_overdue(world):
    deployment = make_ready(world.org)
    assert _r52(world.org).state == State.MET
    complaint = complaint_file(deployment=deployment, message="x")
    assert _r52(world.org).state == State.MET
    Complaint.objects.filter(pk=complaint.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    result = _r52(world.org)
    assert result.state == State.UNMET
    assert result.fix_url == reverse("panel:gov_complaints", args=[world.org.slug])


def test_R52_api_lists_answers_and_refuses_other_tenants(world, api_as):
    complaint = complaint_file(deployment=make_ready(world.org), message="Too close")
    foreign = complaint_file(
        deployment=DeploymentFactory(organization=world.outsider_org), message="Elsewhere"
    )
    dpo = api_as(world.dpo, "acme")
    listed = dpo.get("/api/v1/complaints/").json()
    ids = [row["id"] for row in listed.get("results", listed)]
    assert ids == [complaint.pk]
    assert dpo.get(f"/api/v1/complaints/{foreign.pk}/").status_code == 404
    assert dpo.post(f"/api/v1/complaints/{foreign.pk}/answer/", {"answer": "no"}).status_code == 404
    answered = dpo.post(
        f"/api/v1/complaints/{complaint.pk}/answer/", {"answer": "We moved it."}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    bad = dpo.post(f"/api/v1/complaints/{complaint.pk}/answer/", {}, format="json")
    assert bad.status_code == 400 and "code" in bad.json()
    assert api_as(world.operator, "acme").get("/api/v1/complaints/").status_code == 403


def test_R52_panel_lists_and_answers_for_the_dpo_only(world, panel_as):
    complaint = complaint_file(deployment=make_ready(world.org), message="Too close")
    foreign = complaint_file(
        deployment=DeploymentFactory(organization=world.outsider_org), message="Elsewhere"
    )
    dpo = panel_as(world.dpo)
    page = dpo.get(reverse("panel:gov_complaints", args=["acme"])).content.decode()
    assert reverse("panel:gov_complaint_detail", args=["acme", complaint.pk]) in page
    assert (
        dpo.get(reverse("panel:gov_complaint_detail", args=["acme", foreign.pk])).status_code == 404
    )
    response = dpo.post(
        reverse("panel:gov_complaint_detail", args=["acme", complaint.pk]),
        {"answer": "Moved the camera.", "close": "on"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.CLOSED and complaint.answer == "Moved the camera."
    operator = panel_as(world.operator)
    assert operator.get(reverse("panel:gov_complaints", args=["acme"])).status_code == 403


def test_R52_complaint_is_kept_when_the_pace_cache_fails(world, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("tenants.counters.cache.add", broken)
    complaint = complaint_file(deployment=make_ready(world.org), message="x", ip="10.0.0.1")
    assert Complaint.objects.filter(pk=complaint.pk).exists()
