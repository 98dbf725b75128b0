"""Purposes: content rules (R3, R14, R20, R41) and versioning (R11, R29)."""

import pytest
from django.db import transaction

from audit.models import AuditEvent
from governance.models import Purpose, PurposeVersion
from governance.selectors import purpose_version_current, purpose_version_is_current
from governance.services import purpose_create, purpose_update
from governance.signals import purpose_version_superseded
from tenants.errors import ApplicationError, RuleViolation
from tests.factories import PurposeFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db

VALID = {
    "description": "Open the office gate for employees.",
    "method": "1:1 comparison on the gate.",
    "necessity_justification": "Badges are lent and lost.",
    "alternatives": ["badge and PIN"],
    "retention_days": 30,
}


def _create(org, actor, **overrides):
    values = {**VALID, **overrides}
    return purpose_create(
        organization=org, actor=actor, name="Gate", kind="access_control", **values
    )


def test_purpose_is_created_with_version_one(world, actor):
    purpose = _create(world.org, actor)
    version = purpose_version_current(purpose=purpose)
    assert version.version == 1 and version.match_threshold == 0.6
    assert version.keep_raw_images_allowed is False  # R21: raw images are not kept by default
    assert version.organization == world.org


def test_r3_purpose_needs_an_alternative_or_a_state_rule(world, actor):
    with pytest.raises(RuleViolation) as exc:
        _create(world.org, actor, alternatives=[])
    assert [d["rule"] for d in exc.value.details] == ["R3"]
    assert not Purpose.objects.exists()
    purpose = _create(
        world.org, actor, alternatives=[], alternative_exemption_citation="PRC Anti-Terrorism Law"
    )
    assert purpose.current_version.alternative_exemption_citation


def test_r14_necessary_for_service_needs_a_justification(world, actor):
    with pytest.raises(RuleViolation) as exc:
        _create(world.org, actor, fr_necessary_for_service=True)
    assert [d["rule"] for d in exc.value.details] == ["R14"]
    assert not Purpose.objects.exists()
    purpose = _create(
        world.org,
        actor,
        fr_necessary_for_service=True,
        fr_necessity_justification="Payment by face is the service itself.",
    )
    assert purpose.current_version.fr_necessary_for_service


def test_r20_retention_period_is_required_and_bounded(world, actor):
    with pytest.raises(RuleViolation) as exc:
        _create(world.org, actor, retention_days=0)
    assert exc.value.details[0]["rule"] == "R20"
    with pytest.raises(RuleViolation, match="too long"):
        _create(world.org, actor, retention_days=100_000)
    assert not Purpose.objects.exists()


def test_r41_no_purpose_infers_sensitive_attributes(world, actor, api_as):
    with pytest.raises(RuleViolation) as exc:
        purpose_create(organization=world.org, actor=actor, name="Demo", kind="ethnicity", **VALID)
    assert exc.value.details[0]["rule"] == "R41"
    response = api_as(world.owner).post(
        "/api/v1/purposes/",
        {"name": "Mood", "kind": "health_inference", **VALID},
        format="json",
    )
    assert response.status_code == 422
    assert response.json()["details"][0]["rule"] == "R41"
    assert not Purpose.objects.exists()


def test_missing_mandatory_fields_create_nothing(world, actor):
    with pytest.raises(ApplicationError, match="necessity justification"):
        _create(world.org, actor, necessity_justification=" ")
    assert not Purpose.objects.exists()


def test_rename_is_not_a_new_version(world, actor):
    purpose = _create(world.org, actor)
    purpose_update(purpose=purpose, actor=actor, name="Front gate")
    purpose.refresh_from_db()
    assert purpose.name == "Front gate" and purpose.versions.count() == 1


def test_r11_material_change_makes_a_new_version_and_signals_after_commit(
    world, actor, django_capture_on_commit_callbacks
):
    purpose = _create(world.org, actor)
    first = purpose.current_version
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    purpose_version_superseded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            purpose_update(purpose=purpose, actor=actor, retention_days=60)
        assert received == []  # nothing before commit
        for callback in callbacks:
            callback()
    finally:
        purpose_version_superseded.disconnect(receiver)
    purpose.refresh_from_db()
    assert purpose.current_version.version == 2
    assert not purpose_version_is_current(purpose_version=first)
    assert len(received) == 1
    sender, kwargs = received[0]
    assert sender is PurposeVersion
    assert kwargs["organization_id"] == world.org.pk
    assert kwargs["old_version_ids"] == [first.pk]
    assert kwargs["new_version_id"] == purpose.current_version_id
    assert kwargs["actor"] == actor


def test_r11_signal_is_not_sent_when_the_transaction_rolls_back(world, actor):
    purpose = _create(world.org, actor)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    purpose_version_superseded.connect(receiver)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            purpose_update(purpose=purpose, actor=actor, retention_days=90)
            raise RuntimeError("abort")
    finally:
        purpose_version_superseded.disconnect(receiver)
    assert received == []
    assert PurposeVersion.objects.filter(purpose=purpose).count() == 1


def test_r29_purpose_change_marks_assessment_stale(world, actor):
    deployment = make_ready(world.org)
    purpose = deployment.purposes.get()
    purpose_update(purpose=purpose, actor=actor, method="1:N search against the gallery.")
    assessment = deployment.assessments.get()
    assert assessment.status == "stale"
    assert "changed" in assessment.stale_reason
    assert AuditEvent.objects.filter(action="assessment.marked_stale").exists()


def test_refused_change_keeps_the_current_version(world, actor):
    purpose = PurposeFactory(organization=world.org)
    with pytest.raises(RuleViolation):
        purpose_update(purpose=purpose, actor=actor, alternatives=[])
    purpose.refresh_from_db()
    assert purpose.versions.count() == 1
    assert purpose.current_version.alternatives


def test_api_creates_and_versions_a_purpose(world, api_as):
    client = api_as(world.dpo)
    response = client.post(
        "/api/v1/purposes/",
        {"name": "Gate", "kind": "access_control", "significant_effect": True, **VALID},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["current_version"]["needs_human_review"] is True  # R43
    pk = body["id"]
    response = client.patch(f"/api/v1/purposes/{pk}/", {"retention_days": 10}, format="json")
    assert response.json()["current_version"]["version"] == 2
    versions = client.get(f"/api/v1/purposes/{pk}/versions/").json()
    assert [v["version"] for v in versions] == [2, 1]


def test_api_missing_fields_answer_400(world, api_as):
    response = api_as(world.owner).post(
        "/api/v1/purposes/", {"name": "Gate", "kind": "access_control"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Purpose.objects.exists()
