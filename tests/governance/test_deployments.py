"""Deployments: activation gates (R6, R7, R8, R19, R27), lifecycle, devices and grants."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from governance.models import Deployment, DeploymentPurpose
from governance.services import (
    deployment_activate,
    deployment_attach_purpose,
    deployment_create,
    deployment_grant_operator,
    deployment_retire,
    deployment_revoke_operator,
    deployment_set_signage,
    deployment_suspend,
    deployment_update,
    device_add,
)
from tenants import roles
from tenants.errors import ApplicationError, Conflict, RuleViolation
from tests.factories import DeploymentFactory, PurposeFactory
from tests.governance.conftest import make_ready, png_upload

pytestmark = pytest.mark.django_db

BANNED = ["hotel_guest_room", "public_bathhouse", "public_changing_room", "public_toilet"]


def _rules(exc) -> set[str]:
    return {d["rule"] for d in exc.value.details}


def test_ready_deployment_activates_and_is_audited(ready, actor):
    deployment_activate(deployment=ready, actor=actor)
    ready.refresh_from_db()
    assert ready.status == "active" and ready.activated_at is not None
    assert AuditEvent.objects.filter(
        action="deployment.activated", target_id=str(ready.pk)
    ).exists()


def test_bare_deployment_lists_each_unmet_rule_with_a_fix(world, actor):
    deployment = DeploymentFactory(organization=world.org)
    with pytest.raises(RuleViolation, match="cannot be activated") as exc:
        deployment_activate(deployment=deployment, actor=actor)
    assert {"R2", "R27"} <= _rules(exc)
    assert all(d["message"] for d in exc.value.details)
    deployment.refresh_from_db()
    assert deployment.status == "draft"


@pytest.mark.parametrize("place_type", BANNED)
def test_r7_private_space_blocks_activation(world, actor, place_type):
    deployment = make_ready(world.org, place_type=place_type)
    with pytest.raises(RuleViolation) as exc:
        deployment_activate(deployment=deployment, actor=actor)
    assert "R7" in _rules(exc)
    deployment.refresh_from_db()
    assert deployment.status == "draft"


def test_r7_active_deployment_cannot_move_into_a_private_space(ready, actor):
    deployment_activate(deployment=ready, actor=actor)
    with pytest.raises(RuleViolation) as exc:
        deployment_update(deployment=ready, actor=actor, place_type="public_toilet")
    assert _rules(exc) == {"R7"}
    ready.refresh_from_db()
    assert ready.place_type == "workplace" and ready.status == "active"


def test_r7_no_device_can_be_registered_in_a_private_space(world, actor):
    deployment = DeploymentFactory(organization=world.org, place_type="hotel_guest_room")
    with pytest.raises(RuleViolation) as exc:
        device_add(deployment=deployment, actor=actor, identifier="cam-1", kind="camera")
    assert _rules(exc) == {"R7"}
    assert not deployment.devices.exists()


def test_r6_public_place_needs_justification_area_and_signage(world, actor):
    deployment = make_ready(world.org, place_type="public_place", purpose_kind="public_security")
    with pytest.raises(RuleViolation) as exc:
        deployment_activate(deployment=deployment, actor=actor)
    r6 = next(d for d in exc.value.details if d["rule"] == "R6")
    assert "public-security justification" in r6["message"]
    assert "signage" in r6["message"]
    deployment_update(
        deployment=deployment,
        actor=actor,
        public_security_justification="Crowd safety at the station entrance.",
        capture_area="Cameras 1-3 cover the ticket hall only.",
    )
    deployment_set_signage(
        deployment=deployment,
        actor=actor,
        photo=png_upload(),
        location="Ticket hall, north door",
        # Recent: older signage must be re-attested first (R6, GOVERNANCE_SIGNAGE_REATTEST_DAYS).
        taken_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    deployment_activate(deployment=deployment, actor=actor)
    assert Deployment.objects.get(pk=deployment.pk).status == "active"


def test_r6_signage_evidence_expires_and_is_flagged(
    world, actor, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from governance.compliance import organization_compliance
    from governance.tasks import flag_stale_signage

    settings.GOVERNANCE_SIGNAGE_REATTEST_DAYS = 365
    today = timezone.localdate()
    deployment = make_ready(
        world.org,
        place_type="public_place",
        purpose_kind="public_security",
        public_security_justification="Crowd safety at the station entrance.",
        capture_area="Cameras 1-3 cover the ticket hall only.",
    )
    deployment_set_signage(
        deployment=deployment,
        actor=actor,
        photo=png_upload(),
        location="Ticket hall, north door",
        taken_on=today - datetime.timedelta(days=300),
    )
    deployment_activate(deployment=deployment, actor=actor)

    def r6():
        report = organization_compliance(organization=world.org, stored_count=0)
        row = next(r for r in report["deployments"] if r["deployment"].pk == deployment.pk)
        return next(c for c in row["checks"] if c.rule == "R6")

    assert r6().met
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_stale_signage() == 0

    # A year and a day later the photo no longer attests the signage.
    Deployment.objects.filter(pk=deployment.pk).update(
        signage_date=today - datetime.timedelta(days=366)
    )
    check = r6()
    assert not check.met and "new signage evidence" in check.message
    assert check.fix_url.endswith(f"/deployments/{deployment.pk}/#signage")

    with django_capture_on_commit_callbacks(execute=True):
        assert flag_stale_signage() == 1
    event = AuditEvent.objects.get(action="deployment.signage_reattest_due")
    assert event.target_id == str(deployment.pk) or event.target_id == deployment.pk
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {world.owner.email, world.dpo.email}
    assert f"/deployments/{deployment.pk}/#signage" in mailoutbox[0].body
    # Flagged, not suspended; and flagged once per photo.
    assert Deployment.objects.get(pk=deployment.pk).status == "active"
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_stale_signage() == 0
    assert len(mailoutbox) == 1

    # New evidence meets R6 again.
    deployment_set_signage(
        deployment=deployment,
        actor=actor,
        photo=png_upload(),
        location="Ticket hall, north door",
        taken_on=today,
    )
    assert r6().met


def test_r6_signage_must_be_an_image(world, actor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    deployment = DeploymentFactory(organization=world.org, place_type="public_place")
    with pytest.raises(ApplicationError, match="not a readable image"):
        deployment_set_signage(
            deployment=deployment,
            actor=actor,
            photo=SimpleUploadedFile("sign.png", b"not an image"),
            location="Door",
            taken_on=datetime.date(2025, 1, 2),
        )
    deployment.refresh_from_db()
    assert not deployment.signage_photo


def test_r8_public_place_other_purpose_needs_separate_consent(world, actor):
    deployment = DeploymentFactory(organization=world.org, place_type="public_place")
    security = PurposeFactory(organization=world.org, kind="public_security")
    marketing = PurposeFactory(organization=world.org, kind="identify_1toN")
    assert not deployment_attach_purpose(
        deployment=deployment, purpose=security, actor=actor
    ).requires_separate_consent
    assert deployment_attach_purpose(
        deployment=deployment, purpose=marketing, actor=actor
    ).requires_separate_consent


def test_r8_unflagged_other_purpose_in_public_place_blocks_activation(world, actor):
    deployment = make_ready(world.org, place_type="public_place", purpose_kind="attendance")
    DeploymentPurpose.objects.filter(deployment=deployment).update(requires_separate_consent=False)
    with pytest.raises(RuleViolation) as exc:
        deployment_activate(deployment=deployment, actor=actor)
    assert "R8" in _rules(exc)


def test_r19_central_storage_needs_a_reason(world, actor):
    deployment = make_ready(world.org, storage_mode="central")
    with pytest.raises(RuleViolation) as exc:
        deployment_activate(deployment=deployment, actor=actor)
    assert _rules(exc) == {"R19"}
    deployment_update(
        deployment=deployment, actor=actor, central_storage_reason="Gates share one gallery."
    )
    deployment_activate(deployment=deployment, actor=actor)


def test_r27_activation_requires_an_approved_assessment(world, actor):
    deployment = make_ready(world.org)
    deployment.assessments.update(status="draft", signed_off_at=None)
    with pytest.raises(RuleViolation) as exc:
        deployment_activate(deployment=deployment, actor=actor)
    assert _rules(exc) == {"R27"}


def test_active_deployment_method_change_needs_suspension(ready, actor):
    deployment_activate(deployment=ready, actor=actor)
    with pytest.raises(Conflict, match="Suspend"):
        deployment_update(deployment=ready, actor=actor, storage_mode="central")
    ready.refresh_from_db()
    assert ready.storage_mode == "on_device"


def test_suspend_then_method_change_makes_assessment_stale(ready, actor):
    deployment_activate(deployment=ready, actor=actor)
    deployment_suspend(deployment=ready, actor=actor, reason="maintenance")
    deployment_update(deployment=ready, actor=actor, verification_channel="national_db")
    assert ready.assessments.get().status == "stale"
    with pytest.raises(RuleViolation) as exc:
        deployment_activate(deployment=ready, actor=actor)
    assert _rules(exc) == {"R29"}


def test_missing_mandatory_fields_create_nothing(world, actor):
    with pytest.raises(ApplicationError, match="address"):
        deployment_create(
            organization=world.org,
            actor=actor,
            name="Gate",
            address="",
            province="SH",
            place_type="workplace",
        )
    assert not Deployment.objects.exists()


def test_retired_deployment_cannot_be_activated(ready, actor):
    deployment_retire(deployment=ready, actor=actor)
    with pytest.raises(Conflict):
        deployment_activate(deployment=ready, actor=actor)


def test_operator_runs_jobs_only_on_granted_deployment(world, actor):
    granted = DeploymentFactory(organization=world.org)
    other = DeploymentFactory(organization=world.org)
    deployment_grant_operator(deployment=granted, user=world.operator, actor=actor)
    operator = type(world.operator).objects.get(pk=world.operator.pk)
    assert operator.has_perm(roles.RUN_JOB, granted)
    assert not operator.has_perm(roles.RUN_JOB, other)
    deployment_revoke_operator(
        deployment=granted, user=world.operator, actor=actor, perms=["run_job"]
    )
    operator = type(world.operator).objects.get(pk=world.operator.pk)
    assert not operator.has_perm(roles.RUN_JOB, granted)
    assert operator.has_perm(roles.ENROLL, granted)


def test_outsider_cannot_be_granted(world, actor):
    from tenants.errors import NotFound

    with pytest.raises(NotFound):
        deployment_grant_operator(
            deployment=DeploymentFactory(organization=world.org), user=world.outsider, actor=actor
        )
