"""The compliance view lists each rule for the organization and each deployment."""

import pytest

from governance.compliance import organization_compliance
from tests.factories import DeploymentFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


def _by_rule(checks):
    return {c.rule: c for c in checks}


def test_ready_deployment_meets_every_rule(world):
    make_ready(world.org)
    report = organization_compliance(organization=world.org, stored_count=10)
    checks = _by_rule(report["deployments"][0]["checks"])
    assert all(c.met for c in checks.values()), [c for c in checks.values() if not c.met]
    assert {"R2", "R3", "R6", "R7", "R8", "R9", "R14", "R19", "R20", "R27", "R29"} <= set(checks)


def test_unmet_rules_come_with_a_fix_link(world):
    DeploymentFactory(organization=world.org, place_type="public_toilet")
    report = organization_compliance(organization=world.org, stored_count=0)
    checks = _by_rule(report["deployments"][0]["checks"])
    assert not checks["R7"].met and checks["R7"].fix_url.startswith("/o/acme/")
    assert not checks["R27"].met and "/o/acme/" in checks["R27"].fix_url


def test_organization_rules_include_the_filing_count(world, settings):
    settings.FILING_THRESHOLD = 100
    report = organization_compliance(organization=world.org, stored_count=120)
    org_checks = _by_rule(report["organization"])
    assert not org_checks["R35"].met
    assert report["threshold"] == 100 and report["stored_count"] == 120


def test_api_compliance(world, api_as):
    make_ready(world.org)
    response = api_as(world.auditor).get("/api/v1/compliance/")
    assert response.status_code == 200
    body = response.json()
    assert body["deployments"][0]["rules"]
    assert {r["rule"] for r in body["organization"]} >= {"R3", "R9", "R34", "R35", "R37"}
