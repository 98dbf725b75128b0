"""What keeps new enrollments and jobs from starting on an active deployment (R2, R27, R29), and
where it is shown: the deployment page, the compliance view and its API. R19 at activation."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from governance.compliance import organization_compliance
from governance.gates import ProcessingSuspended, deployment_processing_check
from governance.services import (
    deployment_activate,
    deployment_detach_purpose,
    incident_create,
)
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(world, actor):
    return deployment_activate(deployment=make_ready(world.org), actor=actor)


def _major_incident(deployment, actor):
    incident, stale = incident_create(
        organization=deployment.organization,
        actor=actor,
        deployment=deployment,
        title="Gate database copied",
        severity="major",
        occurred_at=timezone.now(),
        discovered_at=timezone.now(),
        data_types="face templates",
        cause="stolen backup",
        possible_harm="impersonation at the gate",
        remedial_measures="keys rotated",
        individual_steps="none needed",
        contact="pi@example.test",
    )
    assert stale
    return incident


def _row(org, deployment):
    report = organization_compliance(organization=org, stored_count=0)
    return next(r for r in report["deployments"] if r["deployment"].pk == deployment.pk)


def test_r29_major_incident_suspends_processing_until_reassessed(world, active, actor):
    deployment_processing_check(deployment=active)
    _major_incident(active, actor)
    with pytest.raises(ProcessingSuspended, match="Reassess") as raised:
        deployment_processing_check(deployment=active)
    assert [d["rule"] for d in raised.value.details] == ["R29"]
    assert "Major incident" in raised.value.details[0]["message"]


def test_r29_deployment_page_and_compliance_view_say_processing_is_suspended(
    world, active, actor, panel_as, api_as
):
    _major_incident(active, actor)
    page = panel_as(world.dpo).get(
        reverse("panel:gov_deployment_detail", kwargs={"org_slug": "acme", "pk": active.pk})
    )
    assert page.status_code == 200
    assert "New enrollments and recognition jobs are suspended here" in page.content.decode()
    compliance = (
        panel_as(world.dpo)
        .get(reverse("panel:gov_compliance", kwargs={"org_slug": "acme"}))
        .content.decode()
    )
    assert "New enrollments and recognition jobs are suspended here" in compliance
    assert [d["rule"] for d in _row(world.org, active)["processing_unmet"]] == ["R29"]

    body = api_as(world.auditor).get("/api/v1/compliance/").json()
    (row,) = [d for d in body["deployments"] if d["id"] == active.pk]
    assert [d["rule"] for d in row["processing_suspended"]] == ["R29"]
    assert row["processing_suspended"][0]["fix_url"]


def test_r29_current_assessment_shows_no_suspension(world, active, panel_as):
    assert _row(world.org, active)["processing_unmet"] == []
    page = panel_as(world.dpo).get(
        reverse("panel:gov_deployment_detail", kwargs={"org_slug": "acme", "pk": active.pk})
    )
    assert "recognition jobs are suspended" not in page.content.decode()


def test_r2_active_deployment_that_lost_its_last_purpose_is_flagged(world, active, actor):
    purpose = active.purposes.get()
    deployment_detach_purpose(deployment=active, purpose=purpose, actor=actor)

    with pytest.raises(ProcessingSuspended) as raised:
        deployment_processing_check(deployment=active)
    assert [d["rule"] for d in raised.value.details] == ["R2"]
    row = _row(world.org, active)
    assert [d["rule"] for d in row["processing_unmet"]] == ["R2"]
    assert not {c.rule: c for c in row["checks"]}["R2"].met
    event = AuditEvent.objects.filter(action="deployment.purpose_detached").latest("pk")
    assert event.details["processing_suspended"] == "R2"


def test_r19_activation_refused_at_the_api_without_the_central_storage_reason(world, actor, api_as):
    deployment = make_ready(world.org, storage_mode="central")
    client = api_as(world.owner)
    response = client.post(f"/api/v1/deployments/{deployment.pk}/activate/")
    assert response.status_code == 422
    (detail,) = response.json()["details"]
    assert detail["rule"] == "R19" and "stated reason" in detail["message"]
    assert detail["fix_url"].endswith(f"/deployments/{deployment.pk}/edit/")

    response = client.patch(
        f"/api/v1/deployments/{deployment.pk}/",
        {"central_storage_reason": "Staff badge in at any of 40 gates; one gallery."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert client.post(f"/api/v1/deployments/{deployment.pk}/activate/").status_code == 200
