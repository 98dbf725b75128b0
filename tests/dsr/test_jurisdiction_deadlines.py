"""R50: a request's deadline follows the jurisdictions of the sites the person consented at, not
the organization's profile: an EU visitor of a Chinese organization gets GDPR's month."""

import pytest
from django.utils import timezone

from audit.actors import Actor
from consent.services import Evidence, consent_grant
from dsr.services.deadlines import (
    add_months,
    dsr_settings_update,
    first_deadline,
    request_jurisdictions,
)
from dsr.services.workflow import dsr_request_extend
from governance.models import DeploymentPurpose
from tests.factories import DeploymentFactory, SubjectFactory

pytestmark = pytest.mark.django_db

DPO = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")


def _visitor(dw, jurisdiction: str, kind: str, **grant):
    site = DeploymentFactory(
        organization=dw.org, status="active", name=f"{jurisdiction} site", jurisdiction=jurisdiction
    )
    DeploymentPurpose.objects.create(deployment=site, purpose=dw.purpose)
    subject = SubjectFactory(organization=dw.org, email=f"{jurisdiction.lower()}@example.test")
    consent_grant(
        subject=subject,
        purpose_version=dw.purpose.current_version,
        notice=dw.notice,
        actor=dw.actor,
        evidence=Evidence(channel="api", consent_ui_version="test-1"),
        deployment=site,
        kind=kind,
        **grant,
    )
    return subject


@pytest.fixture
def long_org_days(dw):
    # The Chinese organization answers in 45 days, extendable by 90: longer than GDPR allows.
    assert dw.org.jurisdiction == "CN"
    dsr_settings_update(organization=dw.org, actor=DPO, response_days=45, extension_days=90)


def test_R50_an_eu_visitor_of_a_chinese_organization_is_answered_within_the_gdpr_month(
    dw, long_org_days
):
    visitor = _visitor(dw, "EU", "gdpr_explicit")

    request = dw.file("access", subject=visitor)

    request.refresh_from_db()
    assert request_jurisdictions(organization=dw.org, subject_id=visitor.pk) == {"EU"}
    assert request.first_due_at == add_months(request.created_at, 1)
    extended = dsr_request_extend(data_request=request, actor=DPO, reason="Many records")
    assert extended.due_at == add_months(request.first_due_at, 2)


def test_R50_a_person_of_the_chinese_sites_keeps_the_organization_days(dw, long_org_days):
    request = dw.file("access")

    request.refresh_from_db()
    assert request_jurisdictions(organization=dw.org, subject_id=dw.subject.pk) == {"CN"}
    assert (request.first_due_at - request.created_at).days == 45


def test_R50_an_illinois_person_is_answered_in_the_organization_days(dw, long_org_days):
    visitor = _visitor(dw, "US-IL", "bipa_written_release", e_signature="Ivy Example")
    received = timezone.now()

    assert request_jurisdictions(organization=dw.org, subject_id=visitor.pk) == {"US-IL"}
    assert (
        first_deadline(organization=dw.org, received_at=received, subject_id=visitor.pk) - received
    ).days == 45


def test_R50_the_earliest_deadline_binds_a_person_under_two_laws(dw, long_org_days):
    eu = DeploymentFactory(organization=dw.org, status="active", jurisdiction="EU")
    DeploymentPurpose.objects.create(deployment=eu, purpose=dw.purpose)
    consent_grant(
        subject=dw.subject,
        purpose_version=dw.purpose.current_version,
        notice=dw.notice,
        actor=dw.actor,
        evidence=Evidence(channel="api", consent_ui_version="test-1"),
        deployment=eu,
        kind="gdpr_explicit",
    )
    received = timezone.now()

    assert request_jurisdictions(organization=dw.org, subject_id=dw.subject.pk) == {"CN", "EU"}
    assert first_deadline(
        organization=dw.org, received_at=received, subject_id=dw.subject.pk
    ) == add_months(received, 1)
