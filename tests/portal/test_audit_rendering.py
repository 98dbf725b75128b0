"""The audit log reads as sentences: who, what, which object (linked), details as key/values."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from audit.actors import Actor
from audit.models import AuditEvent
from audit.services import audit_record
from portal.panel.audit_rendering import action_text, actor_text
from tests.factories import AssessmentFactory, DeploymentFactory

pytestmark = pytest.mark.django_db


def _log(world, **kwargs):
    return audit_record(organization_id=world.org.pk, **kwargs)


def test_a_data_subject_is_named_once_and_a_system_plainly():
    subject = AuditEvent(actor_type="subject", actor_label="data subject")
    assert actor_text(subject) == "Data subject"
    anonymous = AuditEvent(actor_type="subject", actor_label="person on the public consent page")
    assert actor_text(anonymous) == "Data subject (person on the public consent page)"
    assert actor_text(AuditEvent(actor_type="system", actor_label="system")) == "System"
    assert action_text("assessment.signed_off") == "Impact assessment · signed off"
    assert action_text("thing.frobbed_twice") == "Thing · frobbed twice"


def test_audit_page_renders_each_action_with_links_and_readable_details(world, panel_as):
    deployment = DeploymentFactory(organization=world.org)
    assessment = AssessmentFactory(deployment=deployment)
    _log(
        world,
        actor=Actor(Actor.USER, str(world.dpo.pk), world.dpo.email, user_id=world.dpo.pk),
        action="assessment.signed_off",
        target_type="assessment",
        target_id=assessment.pk,
        details={"deployment_id": deployment.pk, "retain_until": "2029-12-02", "ok": True},
    )
    _log(
        world,
        actor=Actor.subject("3f1c9a52-8d7e-4b6a-9c0d-1e2f3a4b5c6d"),
        action="consent.withdrawn",
        target_type="consent",
        target_id=7,
        details={"items": {"central_storage": False}, "ids": [1, 2]},
    )
    html = panel_as(world.auditor).get(reverse("panel:audit", args=[world.org.slug])).content
    page = html.decode()
    assert "Impact assessment · signed off" in page
    detail = reverse("panel:gov_assessment_detail", args=[world.org.slug, assessment.pk])
    assert f'<a href="{detail}">Impact assessment {assessment.pk}</a>' in page
    deployment_url = reverse("panel:gov_deployment_detail", args=[world.org.slug, deployment.pk])
    assert f'<dt>Deployment</dt><dd><a href="{deployment_url}">' in page
    assert "<dt>Consent items</dt><dd>Central storage: no</dd>" in page
    assert "{&#x27;" not in page and "{'" not in page
    assert "Data subject: data subject" not in page


def test_audit_table_wraps_long_hashes_to_fit_the_window():
    css = (Path(settings.BASE_DIR) / "portal/static/portal/portal.css").read_text()
    assert "table.audit td, table.audit code { overflow-wrap:anywhere;" in css
