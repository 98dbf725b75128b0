"""R17, R18, R23, R50: each deployment carries its own jurisdiction, edited like any method
field (suspend, change, reassess), audited, and published in a public retention policy."""

from datetime import datetime

import pytest

from audit.models import AuditEvent
from governance.gates import deployment_checks
from governance.jurisdiction import bipa_destroy_by, years_after
from governance.models import Assessment, Deployment
from governance.services import deployment_activate, deployment_suspend
from tests.factories import DeploymentFactory, PurposeFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


def test_R17_jurisdiction_of_an_active_deployment_changes_only_after_suspension(
    world, api_as, actor
):
    deployment = make_ready(world.org)
    deployment_activate(deployment=deployment, actor=actor)
    client = api_as(world.owner)
    url = f"/api/v1/deployments/{deployment.pk}/"

    refused = client.patch(url, {"jurisdiction": "US-IL"}, format="json")

    assert refused.status_code == 409 and "jurisdiction" in refused.json()["message"]
    deployment_suspend(deployment=deployment, actor=actor)
    changed = client.patch(url, {"jurisdiction": "US-IL"}, format="json")
    assert changed.status_code == 200 and changed.json()["jurisdiction"] == "US-IL"
    # R29: a new law is a new method: the assessment must be redone before activation.
    assert Assessment.objects.get(deployment=deployment).status == Assessment.Status.STALE
    event = AuditEvent.objects.filter(action="deployment.updated").latest("pk")
    assert event.details["fields"] == ["jurisdiction"]
    assert event.details["previous"] == {"jurisdiction": "CN"}


@pytest.mark.parametrize(
    ("jurisdiction", "applicable"),
    [("CN", set()), ("EU", {"R17"}), ("US-IL", {"R18", "R23"})],
)
def test_R17_R18_R23_rule_states_follow_the_deployment_not_the_profile(
    world, jurisdiction, applicable
):
    assert world.org.jurisdiction == "CN"
    deployment = DeploymentFactory(organization=world.org, jurisdiction=jurisdiction)

    checks = {c.rule: c for c in deployment_checks(deployment) if c.rule in {"R17", "R18", "R23"}}

    assert {rule for rule, check in checks.items() if check.applicable} == applicable
    assert len(checks) == 3 and all(check.met for check in checks.values())
    if jurisdiction == "US-IL":
        assert "/policy/acme/retention/" in checks["R23"].message
    else:
        assert "Not applicable" in checks["R18"].message
    (r50,) = [c for c in deployment_checks(deployment) if c.rule == "R50"]
    assert r50.met and r50.applicable
    assert ("within 1 month(s)" in r50.message) == (jurisdiction == "EU")


def test_R17_R18_R23_the_compliance_view_judges_them_per_deployment(world):
    from governance.compliance import organization_compliance

    DeploymentFactory(organization=world.org, jurisdiction="US-IL", name="Chicago")

    rows = {
        row.rule.id: row.result for row in organization_compliance(organization=world.org)["rules"]
    }

    assert rows["R18"].state == "met" and "written release" in rows["R18"].message
    assert rows["R23"].state == "met" and rows["R17"].state == "not_applicable"
    assert rows["R50"].state == "met" and "organization's days" in rows["R50"].message


def test_R23_bipa_destroys_at_the_purpose_end_or_three_years_after_the_last_interaction():
    last = datetime(2024, 2, 29, 12, 0)
    assert years_after(last, 3) == datetime(2027, 2, 28, 12, 0)
    assert bipa_destroy_by(last_interaction_at=last) == datetime(2027, 2, 28, 12, 0)
    sooner = datetime(2025, 6, 1)
    assert bipa_destroy_by(last_interaction_at=last, purpose_end_at=sooner) == sooner
    later = datetime(2030, 1, 1)
    assert bipa_destroy_by(last_interaction_at=last, purpose_end_at=later) == datetime(
        2027, 2, 28, 12, 0
    )


def test_R23_retention_policy_page_is_public_and_states_the_bipa_schedule(world, client):
    from governance.models import DeploymentPurpose

    illinois = DeploymentFactory(
        organization=world.org, name="Chicago office", jurisdiction="US-IL"
    )
    shanghai = DeploymentFactory(organization=world.org, name="Shanghai office")
    retired = DeploymentFactory(organization=world.org, name="Old office", status="retired")
    purpose = PurposeFactory(organization=world.org, name="Door access")
    for site in (illinois, shanghai, retired):
        DeploymentPurpose.objects.create(deployment=site, purpose=purpose)

    response = client.get("/policy/acme/retention/")

    assert response.status_code == 200  # no sign-in
    page = response.content.decode()
    assert "Chicago office" in page and "Shanghai office" in page and "Old office" not in page
    assert "Biometric Information Privacy Act" in page and "within 3 years" in page
    assert f"{purpose.current_version.retention_days} days" in page
    assert page.count("Biometric Information Privacy Act") == 1  # Illinois only
    assert client.get("/policy/nobody/retention/").status_code == 404


def test_R23_the_notice_links_the_retention_policy(world, client):
    from governance.models import DeploymentPurpose
    from tests.factories import PublishedNoticeFactory

    site = DeploymentFactory(organization=world.org, jurisdiction="US-IL", status="active")
    purpose = PurposeFactory(organization=world.org)
    PublishedNoticeFactory(purpose_version=purpose.current_version, language="en")
    DeploymentPurpose.objects.create(deployment=site, purpose=purpose)

    page = client.get(f"/notice/acme/p/{purpose.pk}/?d={site.pk}").content.decode()

    assert 'href="/policy/acme/retention/"' in page
    landing = client.get(f"/notice/acme/d/{site.pk}/").content.decode()
    assert f'href="/policy/acme/retention/#deployment-{site.pk}"' in landing
    assert Deployment.objects.get(pk=site.pk).jurisdiction == "US-IL"
