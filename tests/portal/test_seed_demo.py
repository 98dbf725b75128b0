"""The demo seed: built through the services, idempotent, and a working compliance story."""

import io

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from audit.services import audit_seal_pending, audit_verify
from consent.models import Consent, MinorDataRules, Subject
from dsr.models import DataRequest
from governance.gates import deployment_unmet
from governance.models import Assessment, Deployment, Incident, Notice
from governance.selectors import deployment_operator_grants
from portal.demo.governance import HEADQUARTERS, STAFF_ACCESS, VISITOR_KIOSK, WASHROOM
from tenants.models import Membership, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    """Run the command twice (the signage photo goes to a private MEDIA_ROOT); return the org
    with the output and event count of each run."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=first)
    org = Organization.objects.get(slug="demo")
    events_after_first = AuditEvent.objects.filter(organization_id=org.pk).count()
    call_command("seed_demo", stdout=second)
    return org, first.getvalue(), second.getvalue(), events_after_first


def _rules(deployment) -> set[str]:
    return {unmet["rule"] for unmet in deployment_unmet(deployment)}


def test_second_run_writes_nothing(seeded):
    org, _first, second, events_after_first = seeded
    assert AuditEvent.objects.filter(organization_id=org.pk).count() == events_after_first
    assert Membership.objects.filter(organization=org).count() == 4
    assert Subject.objects.for_org(org).count() == 8
    assert Consent.objects.for_org(org).count() == 8
    assert Deployment.objects.for_org(org).count() == 3
    assert "already exists" in second


def test_headquarters_is_active_with_bilingual_notices_and_a_signed_assessment(seeded):
    org, *_ = seeded
    hq = Deployment.objects.for_org(org).get(name=HEADQUARTERS)
    assert hq.status == Deployment.Status.ACTIVE
    assert _rules(hq) == set()
    assert hq.devices.count() == 2 and hq.signage_photo
    purpose = hq.purposes.get()
    assert purpose.name == STAFF_ACCESS and purpose.current_version.retention_days == 365
    published = Notice.objects.published().filter(purpose_version=purpose.current_version)
    assert sorted(published.values_list("language", flat=True)) == ["en", "zh-hans"]
    assert "人脸识别" in published.get(language="zh-hans").purpose_text
    assessment = Assessment.objects.approved().get(deployment=hq)
    assert assessment.signed_off_by.email == "dpo@demo.example"


def test_operator_holds_the_three_grants_on_the_headquarters_only(seeded):
    org, *_ = seeded
    operator = Membership.objects.get(organization=org, role="operator").user
    grants = {
        d.name: deployment_operator_grants(deployment=d).get(operator, [])
        for d in Deployment.objects.for_org(org)
    }
    assert grants == {
        HEADQUARTERS: ["enroll_faces", "run_job", "view_results"],
        VISITOR_KIOSK: [],
        WASHROOM: [],
    }


def test_visitor_kiosk_stays_draft_with_unmet_rules(seeded):
    org, first, *_ = seeded
    kiosk = Deployment.objects.for_org(org).get(name=VISITOR_KIOSK)
    assert kiosk.status == Deployment.Status.DRAFT
    assert _rules(kiosk) == {"R9", "R19", "R27"}
    assert "Visitor kiosk: draft, unmet: R9, R19, R27" in first


def test_r7_washroom_is_recorded_but_blocked(seeded):
    org, *_ = seeded
    washroom = Deployment.objects.for_org(org).get(name=WASHROOM)
    assert washroom.status == Deployment.Status.DRAFT
    assert "R7" in _rules(washroom)
    assert not washroom.devices.exists()


def test_consents_one_withdrawn_one_guardian_one_raw_image_declined(seeded):
    org, *_ = seeded
    consents = Consent.objects.for_org(org)
    assert consents.filter(state=Consent.State.ACTIVE).count() == 7
    withdrawn = consents.get(state=Consent.State.WITHDRAWN)
    assert withdrawn.subject.external_ref == "EMP-1004"
    assert withdrawn.subject.choice == Subject.Choice.ALTERNATIVE
    child = consents.get(kind=Consent.Kind.GUARDIAN)
    assert child.is_minor_under_14 and child.minor_rules is not None
    assert not child.central_storage and not child.raw_images
    assert consents.filter(central_storage=True).count() == 6
    assert consents.get(subject__external_ref="EMP-1003").raw_images is False
    assert set(consents.values_list("channel", flat=True)) == {Consent.Channel.PAPER}
    assert set(consents.values_list("collected_by__email", flat=True)) == {"operator@demo.example"}
    assert set(consents.values_list("language", flat=True)) == {"en", "zh-hans"}
    assert MinorDataRules.objects.for_org(org).count() == 1


def test_an_access_request_and_a_minor_incident_are_on_file(seeded):
    org, *_ = seeded
    request = DataRequest.objects.for_org(org).get()
    assert request.kind == DataRequest.Kind.ACCESS
    assert request.subject.external_ref == "EMP-1005"
    incident = Incident.objects.for_org(org).get()
    assert incident.severity == Incident.Severity.MINOR and incident.deployment.name == HEADQUARTERS


def test_audit_trail_tells_the_story_and_its_chain_verifies(seeded):
    org, *_ = seeded
    actions = set(
        AuditEvent.objects.filter(organization_id=org.pk).values_list("action", flat=True)
    )
    assert {
        "deployment.activated",
        "notice.published",
        "assessment.signed_off",
        "deployment.grant_added",
        "minor_rules.published",
        "consent.given",
        "consent.withdrawn",
        "data_request.filed",
        "incident.opened",
    } <= actions
    audit_seal_pending(organization_id=org.pk)
    report = audit_verify(organization_id=org.pk)
    assert report.ok, report.message


def test_output_ends_with_the_logins_and_names_the_notice_link(seeded):
    org, _first, second, _ = seeded
    purpose = org.purposes.get(name=STAFF_ACCESS)
    assert f"/notice/demo/p/{purpose.pk}/?d=" in second
    assert (
        second.rstrip().splitlines()[-1].strip()
        == "auditor   auditor@demo.example / demo-password-2025"
    )
