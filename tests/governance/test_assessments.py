"""Impact assessments: four sections (R28), DPO sign-off (R27), staleness (R29), retention (R30)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.actors import Actor
from governance.models import Assessment
from governance.services import (
    assessment_attach,
    assessment_create,
    assessment_delete,
    assessment_reassess,
    assessment_sign_off,
    assessment_update,
    deployment_activate,
)
from tenants.errors import ApplicationError, Conflict, Forbidden, RuleViolation
from tests.factories import AssessmentFactory, DeploymentFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db

SECTIONS = {
    "section_lawfulness": "Lawful.",
    "section_rights_impact": "Low.",
    "section_security_risks": "Leak of templates.",
    "section_protective_measures": "Encryption.",
}


def test_r28_sign_off_requires_the_four_sections(world, actor):
    deployment = make_ready(world.org)
    assessment = assessment_create(
        organization=world.org,
        actor=actor,
        deployment=deployment,
        title="PIA",
        section_lawfulness="Lawful.",
    )
    with pytest.raises(RuleViolation) as exc:
        assessment_sign_off(assessment=assessment, actor=actor, user=world.dpo)
    assert {d["field"] for d in exc.value.details} == set(SECTIONS) - {"section_lawfulness"}
    assert {d["rule"] for d in exc.value.details} == {"R28"}
    assessment.refresh_from_db()
    assert assessment.status == "draft" and assessment.signed_off_by is None


def test_r27_signed_off_assessment_allows_activation(world, actor):
    deployment = make_ready(world.org)
    deployment.assessments.all().delete()
    assessment = assessment_create(
        organization=world.org, actor=actor, deployment=deployment, title="PIA", **SECTIONS
    )
    assert list(assessment.purpose_versions.all()) == [deployment.purposes.get().current_version]
    assessment_sign_off(assessment=assessment, actor=actor, user=world.dpo)
    assessment.refresh_from_db()
    assert assessment.status == "approved" and assessment.signed_off_by == world.dpo
    deployment_activate(deployment=deployment, actor=actor)


def test_r27_assessment_must_cover_current_purpose_versions(world, actor):
    deployment = make_ready(world.org)
    assessment = assessment_create(
        organization=world.org,
        actor=actor,
        deployment=deployment,
        title="PIA",
        purpose_versions=[],
        **SECTIONS,
    )
    with pytest.raises(RuleViolation) as exc:
        assessment_sign_off(assessment=assessment, actor=actor, user=world.dpo)
    assert exc.value.details[0]["rule"] == "R27"


def test_signed_assessment_is_immutable(world, actor):
    assessment = make_ready(world.org).assessments.get()
    with pytest.raises(Conflict, match="reassess"):
        assessment_update(assessment=assessment, actor=actor, section_lawfulness="Changed")


def test_r29_reassess_starts_a_new_draft_from_a_stale_one(world, actor):
    assessment = make_ready(world.org).assessments.get()
    Assessment.objects.filter(pk=assessment.pk).update(status="stale", stale_reason="test")
    new = assessment_reassess(assessment=assessment, actor=actor)
    assert new.status == "draft" and new.section_lawfulness == assessment.section_lawfulness
    assert new.pk != assessment.pk


def test_r30_signed_assessment_cannot_be_deleted_within_three_years(world, actor, api_as):
    deployment = make_ready(world.org)
    deployment.assessments.all().delete()
    assessment = assessment_create(
        organization=world.org, actor=actor, deployment=deployment, title="PIA", **SECTIONS
    )
    assessment_sign_off(assessment=assessment, actor=actor, user=world.dpo)
    assessment.refresh_from_db()
    signed = assessment.signed_off_at.date()
    assert assessment.retain_until >= signed.replace(year=signed.year + 3)
    with pytest.raises(RuleViolation) as exc:
        assessment_delete(assessment=assessment, actor=actor)
    assert exc.value.details[0]["rule"] == "R30"
    response = api_as(world.owner).delete(f"/api/v1/assessments/{assessment.pk}/")
    assert response.status_code == 422 and response.json()["code"] == "retention_locked"
    assert Assessment.objects.filter(pk=assessment.pk).exists()
    assessment_delete(
        assessment=assessment, actor=actor, today=assessment.retain_until + datetime.timedelta(1)
    )
    assert not Assessment.objects.filter(pk=assessment.pk).exists()


def test_unsigned_draft_can_be_deleted(world, actor):
    draft = AssessmentFactory(deployment=DeploymentFactory(organization=world.org))
    assessment_delete(assessment=draft, actor=actor)
    assert not Assessment.objects.filter(pk=draft.pk).exists()


def test_attachment_is_stored_with_its_digest(world, actor):
    assessment = AssessmentFactory(deployment=DeploymentFactory(organization=world.org))
    attachment = assessment_attach(
        assessment=assessment,
        actor=actor,
        upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4 test"),
    )
    assert attachment.size == 13 and len(attachment.sha256) == 64


def test_attachment_of_a_forbidden_type_is_refused(world, actor):
    assessment = AssessmentFactory(deployment=DeploymentFactory(organization=world.org))
    with pytest.raises(ApplicationError, match="Attachments must be"):
        assessment_attach(
            assessment=assessment, actor=actor, upload=SimpleUploadedFile("x.exe", b"MZ")
        )
    assert not assessment.attachments.exists()


def test_api_sign_off_is_for_the_dpo_only(world, api_as):
    deployment = make_ready(world.org)
    deployment.assessments.all().delete()
    response = api_as(world.owner).post(
        "/api/v1/assessments/",
        {"deployment": deployment.pk, "title": "PIA", **SECTIONS},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    for role in ("owner", "operator", "auditor"):
        assert (
            api_as(world.user(role)).post(f"/api/v1/assessments/{pk}/sign-off/").status_code == 403
        )
    assert Assessment.objects.get(pk=pk).status == "draft"
    response = api_as(world.dpo).post(f"/api/v1/assessments/{pk}/sign-off/")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["signed_off_by"] == world.dpo.email


def test_api_attachment_upload_and_download(world, api_as):
    assessment = AssessmentFactory(deployment=DeploymentFactory(organization=world.org))
    client = api_as(world.dpo)
    response = client.post(
        f"/api/v1/assessments/{assessment.pk}/attachments/",
        {"file": SimpleUploadedFile("report.txt", b"hello"), "name": "Report"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    url = f"/api/v1/assessments/{assessment.pk}/attachments/{response.json()['id']}/"
    download = api_as(world.auditor).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"hello"
    bad = client.post(
        f"/api/v1/assessments/{assessment.pk}/attachments/",
        {"file": SimpleUploadedFile("x.exe", b"MZ")},
        format="multipart",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_file"


def _drafted_by(world, user):
    deployment = make_ready(world.org)
    deployment.assessments.all().delete()
    return assessment_create(
        organization=world.org,
        actor=Actor(Actor.USER, str(user.pk), user.email, user_id=user.pk),
        deployment=deployment,
        title="PIA",
        **SECTIONS,
    )


def test_r27_the_owner_cannot_sign_off_an_assessment_they_wrote(world, actor):
    assessment = _drafted_by(world, world.owner)
    assert assessment.created_by == world.owner
    with pytest.raises(Forbidden, match="data protection officer"):
        assessment_sign_off(assessment=assessment, actor=actor, user=world.owner)
    assessment_sign_off(assessment=assessment, actor=actor, user=world.dpo)
    assert Assessment.objects.get(pk=assessment.pk).signed_off_by == world.dpo


def test_r27_a_dpo_cannot_sign_off_an_assessment_they_wrote(world, actor):
    assessment = _drafted_by(world, world.dpo)
    with pytest.raises(Forbidden, match="You wrote this assessment"):
        assessment_sign_off(assessment=assessment, actor=actor, user=world.dpo)
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"


def test_r27_panel_and_api_refuse_the_author_and_the_owner_alike(world, api_as, panel_as):
    assessment = _drafted_by(world, world.dpo)
    response = api_as(world.dpo).post(f"/api/v1/assessments/{assessment.pk}/sign-off/")
    assert response.status_code == 403 and response.json()["code"] == "sign_off_own"
    assert (
        api_as(world.owner).post(f"/api/v1/assessments/{assessment.pk}/sign-off/").status_code
        == 403
    )
    sign = reverse(
        "panel:gov_assessment_sign", kwargs={"org_slug": world.org.slug, "pk": assessment.pk}
    )
    assert panel_as(world.owner).post(sign).status_code == 403
    response = panel_as(world.dpo).post(sign, follow=True)
    assert "You wrote this assessment" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"
