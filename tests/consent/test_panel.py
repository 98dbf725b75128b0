"""Staff panel pages for subjects and consents: scoping, roles, reads audited."""

import pytest
from guardian.shortcuts import assign_perm

from audit.models import AuditEvent
from consent.models import MinorDataRules
from consent.services import consent_withdraw
from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["owner", "dpo", "operator", "auditor"])
def test_subject_pages_open_for_every_role_and_reads_are_audited(cw, world, panel_as, role):
    client = panel_as(world.user(role))
    assert client.get("/o/acme/subjects/").status_code == 200
    response = client.get(f"/o/acme/subjects/{cw.subject.pseudonym}/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action="subject.viewed", subject_pseudonym=str(cw.subject.pseudonym)
    ).exists()
    assert client.get("/o/acme/consents/").status_code == 200


def test_outsider_gets_404_on_panel_pages(cw, world, panel_as):
    consent, _ = cw.grant()
    client = panel_as(world.outsider)
    assert client.get("/o/acme/subjects/").status_code == 404
    assert client.post(f"/o/acme/consents/{consent.public_id}/withdraw/").status_code == 404
    assert client.get(f"/o/other/subjects/{cw.subject.pseudonym}/").status_code == 404
    consent.refresh_from_db()
    assert consent.state == "active"


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 302), ("dpo", 302), ("operator", 403), ("auditor", 403)]
)
def test_minor_rules_publishing_by_role(cw, world, panel_as, role, status):
    response = panel_as(world.user(role)).post(
        "/o/acme/consent/minor-rules/", {"title": "Children", "body": "Guardian consent only."}
    )
    assert response.status_code == status
    assert MinorDataRules.objects.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 200), ("dpo", 200), ("operator", 403), ("auditor", 403)]
)
def test_subjects_page_links_request_handlers_to_the_request_queue(
    cw, world, panel_as, role, status
):
    page = panel_as(world.user(role)).get("/o/acme/subjects/")
    assert ('href="/o/acme/dsr/"' in page.content.decode()) is (status == 200)


def test_dashboard_shows_consent_figures(cw, world, panel_as):
    consent, _ = cw.grant()

    consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    cw.grant(subject=SubjectFactory(organization=cw.org))
    response = panel_as(world.owner).get("/o/acme/")
    assert response.context["figures"]["active_consents"] == 1
    assert response.context["figures"]["withdrawals_30d"] == 1
    assert "withdrawals in 30 days" in response.content.decode()


@pytest.mark.parametrize(("role", "allowed"), [("operator", True), ("auditor", False)])
def test_staff_add_a_subject_by_role(cw, world, panel_as, role, allowed):
    from consent.models import Subject

    before = Subject.objects.count()
    response = panel_as(world.user(role)).post(
        "/o/acme/subjects/",
        {"display_name": "Desk Visitor", "date_of_birth": "1970-01-01", "age_bracket": "unknown"},
    )
    assert response.status_code == (302 if allowed else 403)
    assert Subject.objects.count() == before + (1 if allowed else 0)


def test_r15_guardian_consent_recorded_at_the_desk(cw, world, panel_as):
    import datetime

    from consent.models import Consent
    from tests.factories import MinorDataRulesFactory

    child = SubjectFactory(
        organization=cw.org, date_of_birth=datetime.date.today().replace(year=2020)
    )
    MinorDataRulesFactory(organization=cw.org)
    url = f"/o/acme/subjects/{child.pseudonym}/consent/"
    # An operator records consents where granted: here on the deployment of the purpose.
    assign_perm("governance.enroll_faces", world.operator, cw.deployment)
    client = panel_as(world.operator)
    base = {
        "purpose": cw.purpose.pk,
        "language": "en",
        "kind": "guardian",
        "channel": "paper",
        "central_storage": "no",
        "raw_images": "no",
    }
    refused = client.post(url, base)
    assert refused.status_code == 200 and "guardian" in refused.content.decode()
    assert Consent.objects.count() == 0
    response = client.post(
        url,
        base
        | {
            "guardian_name": "Wang Fang",
            "guardian_relationship": "mother",
            "guardian_verification": "ID card",
            "guardian_evidence": "desk log 7",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.is_minor_under_14 and consent.collected_by == world.operator
    assert panel_as(world.auditor).get(url).status_code == 403
