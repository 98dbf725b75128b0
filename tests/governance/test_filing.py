"""Filing with the provincial CAC: thresholds, warnings, deadlines, change filings, the pack."""

import datetime
import io
import json
import zipfile

import pytest

from audit.models import AuditEvent
from governance.filing import (
    filing_evaluate,
    filing_profile_update,
    filing_submit,
    stored_individuals_count,
)
from governance.filing_pack import filing_pack_build
from governance.models import Filing, FilingAlert
from governance.services import deployment_retire, purpose_update
from governance.tasks import evaluate_filings
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db

D = datetime.date


class Counter:
    value = 0

    def __call__(self, *, organization):
        return self.value


FAKE_COUNTER = Counter()


@pytest.fixture
def counter(settings):
    """Point the configured counter at one returning ``counter.value``."""
    FAKE_COUNTER.value = 0
    settings.GOVERNANCE_STORED_INDIVIDUALS_COUNTER = "tests.governance.test_filing.FAKE_COUNTER"
    return FAKE_COUNTER


def test_count_is_zero_without_a_configured_counter(world, settings):
    settings.GOVERNANCE_STORED_INDIVIDUALS_COUNTER = ""
    assert stored_individuals_count(organization=world.org) == 0


def test_r35_crossing_the_threshold_opens_a_filing_with_a_working_day_deadline(world, actor):
    filing = filing_evaluate(
        organization=world.org, stored_count=100_000, actor=actor, today=D(2025, 9, 26)
    )
    assert filing.kind == "initial" and filing.threshold == 100_000
    assert filing.trigger_date == D(2025, 9, 26) and filing.deadline == D(2025, 11, 13)
    assert filing.deadline_estimated is False
    assert AuditEvent.objects.filter(action="filing.opened").count() == 1


def test_r35_below_threshold_opens_nothing(world, actor):
    assert filing_evaluate(organization=world.org, stored_count=99_999, actor=actor) is None
    assert not Filing.objects.exists()


def test_r35_evaluation_is_idempotent(world, actor):
    filing_evaluate(organization=world.org, stored_count=100_500, actor=actor)
    assert filing_evaluate(organization=world.org, stored_count=101_000, actor=actor) is None
    filing_evaluate(organization=world.org, stored_count=90_000, actor=actor)
    filing_evaluate(organization=world.org, stored_count=100_001, actor=actor)
    assert Filing.objects.filter(kind="initial").count() == 1


def test_r35_threshold_and_warning_levels_are_settings(world, actor, settings):
    settings.FILING_THRESHOLD = 1000
    settings.FILING_WARNING_RATIOS = [0.8, 0.9]
    filing_evaluate(organization=world.org, stored_count=850, actor=actor)
    assert list(FilingAlert.objects.values_list("level", flat=True)) == [0.8]
    filing_evaluate(organization=world.org, stored_count=860, actor=actor)
    assert FilingAlert.objects.count() == 1  # once per crossing
    filing_evaluate(organization=world.org, stored_count=700, actor=actor)
    assert FilingAlert.objects.filter(cleared_at__isnull=True).count() == 0
    filing_evaluate(organization=world.org, stored_count=950, actor=actor)
    assert FilingAlert.objects.filter(cleared_at__isnull=True).count() == 2
    assert not Filing.objects.exists()
    assert filing_evaluate(organization=world.org, stored_count=1000, actor=actor).threshold == 1000


def test_r35_deadline_beyond_the_calendar_is_marked_estimated(world, actor):
    filing = filing_evaluate(
        organization=world.org, stored_count=200_000, actor=actor, today=D(2031, 3, 3)
    )
    assert filing.deadline_estimated is True


def test_r35_task_uses_the_registered_counter(world, counter):
    counter.value = 150_000
    filing_id = evaluate_filings(world.org.pk)
    assert Filing.objects.get(pk=filing_id).stored_count == 150_000
    assert evaluate_filings(world.org.pk) is None
    assert evaluate_filings(999_999) is None


def test_r37_substantive_change_after_filing_opens_a_change_filing(world, actor):
    deployment = make_ready(world.org)
    purpose = deployment.purposes.get()
    purpose_update(purpose=purpose, actor=actor, retention_days=45)
    assert not Filing.objects.exists()  # nothing filed yet: nothing to change
    initial = filing_evaluate(organization=world.org, stored_count=100_000, actor=actor)
    filing_submit(filing=initial, actor=actor, filing_number="SH-2025-001")
    purpose_update(purpose=purpose, actor=actor, retention_days=60)
    filing_profile_update(organization=world.org, actor=actor, security_measures="HSM keys")
    change = Filing.objects.get(kind="change")
    assert change.status == "open" and "retention_days" in change.reason
    assert "security_measures" in change.reason  # the second change joined the open filing
    assert Filing.objects.filter(kind="change").count() == 1


def test_r37_retiring_the_last_deployment_opens_a_deregistration(world, actor):
    deployment = make_ready(world.org)
    filing_submit(
        filing=filing_evaluate(organization=world.org, stored_count=100_000, actor=actor),
        actor=actor,
    )
    deployment_retire(deployment=deployment, actor=actor)
    assert Filing.objects.filter(kind="deregistration", status="open").exists()


def test_filing_pack_contains_what_the_authority_asks_for(world, actor):
    make_ready(world.org)
    filing_profile_update(
        organization=world.org, actor=actor, security_measures="Encryption at rest"
    )
    body = filing_pack_build(organization=world.org, actor=actor)
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = set(archive.namelist())
    expected = {
        "organization.json",
        "deployments.json",
        "purposes.json",
        "assessments.json",
        "counts.json",
        "security_measures.json",
        "filing_report.html",
        "manifest.json",
    }
    assert expected <= names
    org = json.loads(archive.read("organization.json"))
    assert org["unified_social_credit_code"] == world.org.unified_social_credit_code
    deployments = json.loads(archive.read("deployments.json"))
    assert deployments[0]["processing_kind"] == "production"  # R1: what the Measures cover
    assert deployments[0]["jurisdiction"] == "CN"
    measures = json.loads(archive.read("security_measures.json"))
    assert measures["security_measures"] == "Encryption at rest"
    assert b"Encryption at rest" in archive.read("filing_report.html")
    assert AuditEvent.objects.filter(action="filing_pack.exported").exists()


def test_api_pack_and_submit(world, api_as, actor):
    filing = filing_evaluate(organization=world.org, stored_count=100_000, actor=actor)
    response = api_as(world.auditor).get(f"/api/v1/filings/{filing.pk}/pack/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert api_as(world.auditor).post(f"/api/v1/filings/{filing.pk}/submit/").status_code == 403
    response = api_as(world.owner).post(
        f"/api/v1/filings/{filing.pk}/submit/", {"filing_number": "SH-1"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    again = api_as(world.owner).post(f"/api/v1/filings/{filing.pk}/submit/")
    assert again.status_code == 409


def test_r36_legacy_processor_filing_deadline_is_14_july_2025(world, api_as, actor):
    from governance.compliance import organization_compliance

    response = api_as(world.owner).patch(
        "/api/v1/filings/profile/", {"legacy_processor": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["legacy_processor"] is True
    assert (
        api_as(world.auditor)
        .patch("/api/v1/filings/profile/", {"legacy_processor": False}, format="json")
        .status_code
        == 403
    )

    filing = filing_evaluate(
        organization=world.org, stored_count=120_000, actor=actor, today=D(2025, 6, 20)
    )
    assert filing.deadline == D(2025, 7, 14) and filing.deadline_estimated is False
    assert filing.is_overdue  # unfiled after 14 July 2025
    listed = api_as(world.auditor).get(f"/api/v1/filings/{filing.pk}/").json()
    assert listed["deadline"] == "2025-07-14" and listed["overdue"] is True
    checks = {c.rule: c for c in organization_compliance(organization=world.org)["organization"]}
    assert not checks["R35"].met and "Overdue" in checks["R35"].message
    assert checks["R36"].applicable and not checks["R36"].met and checks["R36"].fix_url

    # Clearing the flag puts the open filing back on 30 working days from its trigger.
    filing_profile_update(organization=world.org, actor=actor, legacy_processor=False)
    filing.refresh_from_db()
    assert filing.deadline == D(2025, 8, 1)
    filing_profile_update(organization=world.org, actor=actor, legacy_processor=True)
    filing.refresh_from_db()
    assert filing.deadline == D(2025, 7, 14)

    filing_submit(filing=filing, actor=actor, filing_number="SH-36")
    filing.refresh_from_db()
    assert not filing.is_overdue
    checks = {c.rule: c for c in organization_compliance(organization=world.org)["organization"]}
    assert checks["R36"].met


def test_r36_without_the_legacy_flag_the_deadline_is_30_working_days(world, actor):
    filing = filing_evaluate(
        organization=world.org, stored_count=120_000, actor=actor, today=D(2025, 9, 26)
    )
    assert filing.deadline == D(2025, 11, 13)
