"""R1: the CAC Measures govern production in the PRC; research and other jurisdictions follow
PIPL's rules only (governance/gates.py), with R7 binding everyone."""

import pytest
from django.urls import reverse

from governance.gates import deployment_checks
from governance.models import Assessment, Deployment
from governance.services import (
    deployment_activate,
    deployment_create,
    deployment_suspend,
    deployment_update,
)
from tenants.errors import Conflict, RuleViolation
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


def _without_measures_evidence(org, **fields) -> Deployment:
    """A deployment ready but for the Measures' own rules: no alternative (R3) and central
    storage without a reason (R19)."""
    deployment = make_ready(org, storage_mode="central", central_storage_reason="", **fields)
    version = deployment.purpose_links.get().purpose.current_version
    type(version).objects.filter(pk=version.pk).update(
        alternatives=[], alternative_exemption_citation=""
    )
    return deployment


def _checks(deployment) -> dict:
    return {check.rule: check for check in deployment_checks(deployment)}


def test_r1_production_in_china_must_meet_the_measures_own_rules(world, actor):
    deployment = _without_measures_evidence(world.org)

    with pytest.raises(RuleViolation) as caught:
        deployment_activate(deployment=deployment, actor=actor)

    assert {d["rule"] for d in caught.value.details} == {"R3", "R19"}


@pytest.mark.parametrize(
    "fields",
    [{"processing_kind": "rd_training"}, {"jurisdiction": "EU"}, {"jurisdiction": "other"}],
)
def test_r1_research_or_processing_outside_china_is_exempt_from_the_measures_own_rules(
    world, actor, fields
):
    deployment = _without_measures_evidence(world.org, **fields)

    checks = _checks(deployment)
    deployment_activate(deployment=deployment, actor=actor)

    for rule in ("R3", "R19"):
        assert checks[rule].met and not checks[rule].applicable
        assert "Not applicable" in checks[rule].message
    deployment.refresh_from_db()
    assert deployment.status == Deployment.Status.ACTIVE


def test_r1_research_still_needs_pipl_assessment_and_notice(world, actor):
    deployment = _without_measures_evidence(world.org, processing_kind="rd_training")
    Assessment.objects.filter(deployment=deployment).delete()

    with pytest.raises(RuleViolation) as caught:
        deployment_activate(deployment=deployment, actor=actor)

    assert {d["rule"] for d in caught.value.details} == {"R27"}


def test_r1_research_in_a_private_space_is_still_refused(world, actor):
    deployment = make_ready(world.org, processing_kind="rd_training", place_type="public_toilet")

    with pytest.raises(RuleViolation) as caught:
        deployment_activate(deployment=deployment, actor=actor)

    assert [d["rule"] for d in caught.value.details] == ["R7"]


def test_r1_jurisdiction_defaults_to_the_organization_profile(world, actor):
    world.org.jurisdiction = "US-IL"
    world.org.save()

    deployment = deployment_create(
        organization=world.org,
        actor=actor,
        name="Lab",
        address="1 Loop",
        province="Illinois",
        place_type="private_premises",
        processing_kind="rd_training",
    )

    assert deployment.jurisdiction == "US-IL" and not deployment.measures_apply


def test_r1_changing_processing_kind_of_an_active_deployment_needs_suspension_and_reassessment(
    world, actor
):
    deployment = make_ready(world.org)
    deployment_activate(deployment=deployment, actor=actor)

    with pytest.raises(Conflict, match="processing_kind"):
        deployment_update(deployment=deployment, actor=actor, processing_kind="rd_training")

    deployment_suspend(deployment=deployment, actor=actor)
    deployment_update(deployment=deployment, actor=actor, processing_kind="rd_training")
    assert Assessment.objects.get(deployment=deployment).status == Assessment.Status.STALE


def test_r1_api_takes_filters_and_checks_processing_kind_and_jurisdiction(world, api_as):
    client = api_as(world.owner)
    body = {"name": "Lab", "address": "1 Road", "province": "Shanghai", "place_type": "workplace"}

    refused = client.post("/api/v1/deployments/", {**body, "processing_kind": "testing"})
    created = client.post("/api/v1/deployments/", {**body, "processing_kind": "rd_training"})
    listed = client.get("/api/v1/deployments/?processing_kind=rd_training").json()

    assert refused.status_code == 400 and "processing_kind" in str(refused.json())
    assert created.status_code == 201
    assert created.json()["processing_kind"] == "rd_training"
    assert created.json()["jurisdiction"] == world.org.jurisdiction
    assert [d["id"] for d in listed["results"]] == [created.json()["id"]]


def test_r1_panel_form_offers_the_organization_jurisdiction_and_saves_the_kind(world, panel_as):
    world.org.jurisdiction = "EU"
    world.org.save()
    client = panel_as(world.owner)
    url = reverse("panel:gov_deployment_create", kwargs={"org_slug": world.org.slug})

    page = client.get(url)
    client.post(
        url,
        {
            "name": "Lab",
            "address": "1 Rue",
            "province": "Paris",
            "place_type": "private_premises",
            "processing_kind": "rd_training",
            "storage_mode": "on_device",
            "verification_channel": "tenant_gallery",
        },
    )

    assert page.context["form"]["jurisdiction"].value() == "EU"
    deployment = Deployment.objects.get(name="Lab")
    assert (deployment.processing_kind, deployment.jurisdiction) == ("rd_training", "EU")
