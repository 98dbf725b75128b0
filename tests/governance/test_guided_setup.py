"""Guided set-up: Fix links land on the form that fixes the rule, pre-filled; next steps."""

import re

import pytest
from django.urls import reverse

from governance.gates import deployment_checks
from governance.models import Notice
from tests.factories import DeploymentFactory, PurposeFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"panel:{name}", kwargs={"org_slug": "acme", **kwargs})


def _check(deployment, rule):
    return next(c for c in deployment_checks(deployment) if c.rule == rule)


PURPOSE_FORM = {
    "name": "Gate",
    "kind": "access_control",
    "description": "Open the gate.",
    "method": "1:1 at the gate.",
    "necessity_justification": "Badges are lent.",
    "alternatives": "badge",
    "retention_days": "30",
    "match_threshold": "0.6",
}


def test_r2_fix_opens_the_new_purpose_form_that_attaches_to_the_deployment(world, panel_as):
    deployment = DeploymentFactory(organization=world.org)
    fix = _check(deployment, "R2").fix_url
    assert fix == url("gov_purpose_create") + f"?deployment={deployment.pk}"
    client = panel_as(world.owner)
    page = client.get(fix).content.decode()
    assert f'name="deployment" value="{deployment.pk}"' in page
    client.post(fix, {**PURPOSE_FORM, "deployment": deployment.pk})
    assert list(deployment.purposes.values_list("name", flat=True)) == ["Gate"]
    assert _check(deployment, "R2").met


def test_r2_fix_opens_the_attach_form_when_purposes_exist(world, panel_as):
    PurposeFactory(organization=world.org)
    deployment = DeploymentFactory(organization=world.org)
    fix = _check(deployment, "R2").fix_url
    assert fix == url("gov_deployment_detail", pk=deployment.pk) + "#attach-purpose"
    assert 'id="attach-purpose"' in panel_as(world.owner).get(fix).content.decode()


def test_r9_fix_lands_on_a_prefilled_notice_that_publishes_in_one_step(world, panel_as):
    deployment = make_ready(world.org)
    Notice.objects.all().delete()
    purpose = deployment.purposes.get()
    fix = _check(deployment, "R9").fix_url
    version = purpose.current_version
    assert fix == url("gov_notice_create") + f"?purpose_version={version.pk}&language=en"
    client = panel_as(world.owner)
    page = client.get(fix).content.decode()
    assert version.description in page and "Acme Security" in page
    form = {
        "purpose_version": version.pk,
        "language": "en",
        "controller_name": "Acme Security",
        "controller_contact": "pi@example.test",
        "purpose_text": "Gate.",
        "method_text": "1:1.",
        "retention_text": "30 days.",
        "necessity_text": "Badges.",
        "rights_impact_text": "Low.",
        "rights_exercise_text": "Write to us.",
        "alternative_text": "Badge.",
        "publish": "1",
    }
    response = client.post(fix, form)
    notice = Notice.objects.get()
    assert response.status_code == 302 and notice.status == "published"
    assert _check(deployment, "R9").met


def test_a_draft_notice_publishes_from_its_form_with_unsaved_edits(world, panel_as):
    deployment = make_ready(world.org)
    notice = Notice.objects.get()
    Notice.objects.filter(pk=notice.pk).update(status="draft", rights_impact_text="")
    fields = {f: getattr(notice, f) for f in Notice.CONTENT_FIELDS}
    response = panel_as(world.owner).post(
        url("gov_notice_detail", pk=notice.pk),
        {**fields, "rights_impact_text": "Low.", "publish": "1"},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "published" and notice.rights_impact_text == "Low."
    assert deployment.status == "draft"


def test_r3_fix_opens_the_edit_form_of_the_purpose_it_names(world):
    deployment = make_ready(world.org)
    purpose = deployment.purposes.get()
    purpose.current_version.__class__.objects.filter(pk=purpose.current_version_id).update(
        alternatives=[], alternative_exemption_citation=""
    )
    assert _check(deployment, "R3").fix_url == url("gov_purpose_edit", pk=purpose.pk)


def test_a_saved_purpose_suggests_writing_its_notice(world, panel_as):
    DeploymentFactory(organization=world.org, name="Lobby")
    purpose = PurposeFactory(organization=world.org)
    page = panel_as(world.owner).get(url("gov_purpose_detail", pk=purpose.pk)).content.decode()
    version = purpose.current_version.pk
    assert f"?purpose_version={version}&amp;language=en" in page
    assert f"?purpose_version={version}&amp;language=zh-hans" in page
    assert "Attach it to Lobby" in page


def test_deployment_page_shows_its_setup_checklist(world, panel_as):
    deployment = DeploymentFactory(organization=world.org)
    page = panel_as(world.owner).get(url("gov_deployment_detail", pk=deployment.pk))
    html = page.content.decode()
    checklist = re.search(r'<section class="card checklist".*?</section>', html, re.S).group(0)
    assert "Attach its purposes" in checklist and "to do" in checklist
    assert url("gov_purpose_create") + f"?deployment={deployment.pk}" in checklist


def test_not_applicable_rows_carry_no_fix_link(world, panel_as):
    make_ready(world.org, processing_kind="research")
    for page in (url("gov_compliance"),):
        html = panel_as(world.owner).get(page).content.decode()
        rows = re.findall(r"<tr class=\"rule-not_applicable\".*?</tr>", html, re.S)
        assert rows
        for row in rows:
            assert "<a " not in row, row


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("dpo", 200), ("operator", 403), ("auditor", 403), ("outsider", 404)],
)
def test_new_notice_form_is_for_those_who_manage_governance(world, panel_as, role, status):
    assert panel_as(world.user(role)).get(url("gov_notice_create")).status_code == status


def test_new_notice_form_never_prefills_another_organizations_purpose(world, panel_as):
    theirs = PurposeFactory(organization=world.outsider_org)
    page = panel_as(world.owner).get(
        url("gov_notice_create") + f"?purpose_version={theirs.current_version_id}"
    )
    assert (
        page.status_code == 200 and theirs.current_version.description not in page.content.decode()
    )


def test_r34_fix_opens_the_incident_to_notify(world):
    from governance.compliance import _incident_check
    from tests.factories import IncidentFactory

    incident = IncidentFactory(organization=world.org, severity="major", status="open")
    assert _incident_check(world.org).fix_url == url("gov_incident_detail", pk=incident.pk)
