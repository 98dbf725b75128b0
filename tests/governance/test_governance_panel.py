"""Governance panel pages: isolation, role checks, activation errors, immutable notices."""

import pytest
from django.urls import reverse

from governance.models import Deployment, Notice, Purpose
from governance.services import notice_publish
from tests.factories import IncidentFactory, NoticeFactory, PurposeFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"panel:{name}", kwargs={"org_slug": "acme", **kwargs})


@pytest.fixture
def objects(world):
    deployment = make_ready(world.org, place_type="public_place")
    purpose = deployment.purposes.get()
    return {
        "deployment": deployment,
        "purpose": purpose,
        "notice": NoticeFactory(purpose_version=purpose.current_version),
        "assessment": deployment.assessments.get(),
        "incident": IncidentFactory(organization=world.org),
    }


def _pages(o):
    return [
        url("gov_deployments"),
        url("gov_deployment_detail", pk=o["deployment"].pk),
        url("gov_purposes"),
        url("gov_purpose_detail", pk=o["purpose"].pk),
        url("gov_notices"),
        url("gov_notice_detail", pk=o["notice"].pk),
        url("gov_assessments"),
        url("gov_assessment_detail", pk=o["assessment"].pk),
        url("gov_incidents"),
        url("gov_incident_detail", pk=o["incident"].pk),
        url("gov_filings"),
        url("gov_compliance"),
    ]


@pytest.mark.parametrize("role", ["owner", "dpo", "operator", "auditor"])
def test_every_role_sees_the_governance_pages(world, panel_as, objects, role):
    client = panel_as(world.user(role))
    for page in _pages(objects):
        assert client.get(page).status_code == 200, page


def test_outsider_gets_404_on_every_page(world, panel_as, objects):
    client = panel_as(world.outsider)
    for page in _pages(objects):
        assert client.get(page).status_code == 404, page


def test_nav_and_dashboard_show_governance(world, panel_as):
    response = panel_as(world.auditor).get(reverse("panel:dashboard", kwargs={"org_slug": "acme"}))
    body = response.content.decode()
    assert url("gov_deployments") in body and url("gov_compliance") in body
    assert "individuals stored / filing threshold" in body
    assert "0 / 100000" in body


@pytest.mark.parametrize("role", ["operator", "auditor"])
def test_readers_cannot_create_or_activate(world, panel_as, objects, role):
    client = panel_as(world.user(role))
    assert client.get(url("gov_deployment_create")).status_code == 403
    response = client.post(
        url("gov_deployment_transition", pk=objects["deployment"].pk, transition="activate")
    )
    assert response.status_code == 403
    assert client.post(url("gov_incidents"), {"title": "x"}).status_code == 403
    assert Deployment.objects.get(pk=objects["deployment"].pk).status == "draft"


def test_create_deployment_with_missing_fields_shows_form_errors(world, panel_as):
    response = panel_as(world.owner).post(url("gov_deployment_create"), {"name": "Gate"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Deployment.objects.exists()


def test_create_deployment(world, panel_as):
    response = panel_as(world.owner).post(
        url("gov_deployment_create"),
        {
            "name": "Gate",
            "address": "1 Road",
            "province": "Shanghai",
            "place_type": "workplace",
            "storage_mode": "on_device",
            "verification_channel": "tenant_gallery",
        },
    )
    deployment = Deployment.objects.get()
    assert response.status_code == 302 and response.url == url(
        "gov_deployment_detail", pk=deployment.pk
    )


def test_r7_activate_button_shows_the_rule_and_changes_nothing(world, panel_as):
    deployment = make_ready(world.org, place_type="public_changing_room")
    response = panel_as(world.owner).post(
        url("gov_deployment_transition", pk=deployment.pk, transition="activate")
    )
    assert response.status_code == 422
    assert [d["rule"] for d in response.context["unmet"]] == ["R7"]
    assert "No override exists" in response.content.decode()
    assert Deployment.objects.get(pk=deployment.pk).status == "draft"


def test_activate_button_activates_a_ready_deployment(world, panel_as):
    deployment = make_ready(world.org)
    response = panel_as(world.dpo).post(
        url("gov_deployment_transition", pk=deployment.pk, transition="activate")
    )
    assert response.status_code == 302
    assert Deployment.objects.get(pk=deployment.pk).status == "active"


def test_r7_edit_form_refuses_moving_an_active_deployment_into_a_private_space(
    world, panel_as, actor
):
    from governance.services import deployment_activate

    deployment = make_ready(world.org)
    deployment_activate(deployment=deployment, actor=actor)
    response = panel_as(world.owner).post(
        url("gov_deployment_edit", pk=deployment.pk),
        {
            "name": deployment.name,
            "address": deployment.address,
            "province": deployment.province,
            "place_type": "public_toilet",
            "storage_mode": "on_device",
            "verification_channel": "tenant_gallery",
        },
    )
    assert response.status_code == 200
    assert any("R7" in e for e in response.context["form"].non_field_errors())
    assert Deployment.objects.get(pk=deployment.pk).place_type == "workplace"


def test_r9_published_notice_cannot_be_edited_in_the_panel(world, panel_as, actor):
    notice = NoticeFactory(purpose_version=PurposeFactory(organization=world.org).current_version)
    notice_publish(notice=notice, actor=actor)
    response = panel_as(world.owner).post(
        url("gov_notice_detail", pk=notice.pk), {"purpose_text": "Changed"}
    )
    assert response.status_code == 409
    assert Notice.objects.get(pk=notice.pk).purpose_text == "Opening the office gate."


def test_r3_purpose_form_shows_the_rule(world, panel_as):
    response = panel_as(world.owner).post(
        url("gov_purpose_create"),
        {
            "name": "Gate",
            "kind": "access_control",
            "description": "d",
            "method": "m",
            "necessity_justification": "n",
            "alternatives": "",
            "retention_days": 30,
            "match_threshold": 0.6,
        },
    )
    assert response.status_code == 200
    assert any("R3" in e for e in response.context["form"].non_field_errors())
    assert not Purpose.objects.exists()


def test_notice_draft_is_prefilled_and_published(world, panel_as):
    purpose = PurposeFactory(organization=world.org)
    client = panel_as(world.dpo)
    response = client.post(
        url("gov_notices"), {"purpose_version": purpose.current_version_id, "language": "zh-hans"}
    )
    notice = Notice.objects.get()
    assert response.status_code == 302 and notice.controller_name == "Acme Security"
    client.post(url("gov_notice_publish", pk=notice.pk))
    assert Notice.objects.get().status == "draft"  # rights texts are still empty (R9)
    fields = {f: "filled" for f in Notice.CONTENT_FIELDS}
    client.post(url("gov_notice_detail", pk=notice.pk), fields)
    client.post(url("gov_notice_publish", pk=notice.pk))
    assert Notice.objects.get().status == "published"


def test_assessment_sign_off_is_for_dpo(world, panel_as, objects):
    from governance.models import Assessment

    assessment = objects["assessment"]
    Assessment.objects.filter(pk=assessment.pk).update(status="draft", signed_off_at=None)
    assert (
        panel_as(world.operator).post(url("gov_assessment_sign", pk=assessment.pk)).status_code
        == 403
    )
    panel_as(world.dpo).post(url("gov_assessment_sign", pk=assessment.pk))
    assert Assessment.objects.get(pk=assessment.pk).status == "approved"


def test_filing_pack_download(world, panel_as, objects):
    response = panel_as(world.auditor).get(url("gov_filing_pack"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"


def test_r36_panel_sets_the_legacy_flag_and_shows_the_overdue_filing(world, panel_as, actor):
    import datetime

    from governance.filing import filing_evaluate
    from governance.models import FilingProfile

    response = panel_as(world.owner).post(
        url("gov_filings"), {"security_measures": "Encryption at rest", "legacy_processor": "on"}
    )
    assert response.status_code == 302
    assert FilingProfile.objects.get(organization=world.org).legacy_processor is True
    filing_evaluate(
        organization=world.org,
        stored_count=100_000,
        actor=actor,
        today=datetime.date(2025, 6, 20),
    )
    page = panel_as(world.auditor).get(url("gov_filings")).content.decode()
    assert "2025-07-14" in page and "overdue" in page
