"""Separation of duties (issue 15, R33 least privilege).

An operator records consents only on deployments granted to them; where the organization asks
for it, whoever recorded a subject's consent for a purpose may not also enroll their face.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.shortcuts import assign_perm

from audit.actors import Actor
from consent.models import Consent
from recognition.models import Enrollment
from recognition.services.enrollment import enrollment_request
from tenants.errors import Forbidden
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ENROLL = "governance.enroll_faces"


@pytest.fixture
def photo(faces):
    return lambda name="obama.jpg": SimpleUploadedFile(name, faces.read(name), "image/jpeg")


@pytest.fixture
def separated(rec):
    rec.org.separate_consent_and_enrollment = True
    rec.org.save(update_fields=["separate_consent_and_enrollment"])
    return rec


@pytest.fixture
def second_operator(rec):
    user = UserFactory(username="operator2@acme.test")
    MembershipFactory(organization=rec.org, user=user, role="operator")
    return user


def _grant_body(rec, subject, *, deployment=True):
    body = {
        "subject": str(subject.pseudonym),
        "purpose_version": rec.purpose.current_version_id,
        "notice": rec.notice.pk,
        "kind": "separate",
        "channel": "kiosk",
        "consent_ui_version": "kiosk-3",
        "face_processing": True,
        "central_storage": True,
        "raw_images": False,
    }
    if deployment:
        body["deployment"] = rec.deployment.pk
    return body


def _enroll_body(rec, subject, photo):
    return {
        "deployment": rec.deployment.pk,
        "purpose": rec.purpose.pk,
        "subject": str(subject.pseudonym),
        "image": photo(),
    }


def _record(client, rec, subject, **kwargs):
    return client.post("/api/v1/consents/", _grant_body(rec, subject, **kwargs), format="json")


# --- Recording a consent needs the deployment's grant ---------------------------------------


@pytest.mark.parametrize("deployment", [True, False], ids=["scoped", "purpose-wide"])
def test_operator_without_a_grant_cannot_record_a_consent(rec, api_as, deployment):
    subject = rec.subject("Ann")
    response = _record(api_as(rec.world.operator), rec, subject, deployment=deployment)
    assert response.status_code == 403
    assert response.json()["code"] == "deployment_not_granted"
    assert not Consent.objects.filter(subject=subject).exists()


@pytest.mark.parametrize("deployment", [True, False], ids=["scoped", "purpose-wide"])
def test_operator_records_a_consent_on_a_granted_deployment(rec, api_as, deployment):
    assign_perm("governance.view_results", rec.world.operator, rec.deployment)
    subject = rec.subject("Ann")
    response = _record(api_as(rec.world.operator), rec, subject, deployment=deployment)
    assert response.status_code == 201, response.json()
    consent = Consent.objects.get(subject=subject)
    assert consent.collected_by == rec.world.operator


def test_a_grant_on_another_deployment_does_not_count(rec, api_as):
    from tests.factories import DeploymentFactory

    elsewhere = DeploymentFactory(organization=rec.org, status="active")
    assign_perm(ENROLL, rec.world.operator, elsewhere)
    response = _record(api_as(rec.world.operator), rec, rec.subject("Ann"))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["owner", "dpo"])
def test_owners_and_dpos_record_consents_without_grants(rec, api_as, role):
    response = _record(api_as(rec.world.user(role)), rec, rec.subject("Ann"))
    assert response.status_code == 201, response.json()


def test_the_panel_refuses_an_ungranted_operator_with_the_reason(rec, panel_as):
    subject = rec.subject("Ann")
    response = panel_as(rec.world.operator).post(
        f"/o/acme/subjects/{subject.pseudonym}/consent/",
        {
            "purpose": rec.purpose.pk,
            "deployment": rec.deployment.pk,
            "language": rec.notice.language,
            "kind": "separate",
            "channel": "paper",
            "central_storage": "yes",
            "raw_images": "no",
        },
    )
    assert response.status_code == 200
    assert "deployments granted to you" in response.content.decode()
    assert not Consent.objects.filter(subject=subject).exists()


# --- The recorder does not enroll -----------------------------------------------------------


def test_the_member_who_recorded_the_consent_cannot_enroll_the_face(
    separated, api_as, photo, second_operator
):
    rec = separated
    for user in (rec.world.operator, second_operator):
        assign_perm(ENROLL, user, rec.deployment)
    subject = rec.subject("Ann")
    assert _record(api_as(rec.world.operator), rec, subject).status_code == 201

    refused = api_as(rec.world.operator).post(
        "/api/v1/enrollments/", _enroll_body(rec, subject, photo), format="multipart"
    )
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "separation_of_duties"
    assert "Separation of duties" in body["message"]
    assert body["details"][0]["setting"] == "separate_consent_and_enrollment"
    assert not Enrollment.objects.filter(subject=subject).exists()

    accepted = api_as(second_operator).post(
        "/api/v1/enrollments/", _enroll_body(rec, subject, photo), format="multipart"
    )
    assert accepted.status_code == 202, accepted.json()


def test_an_owner_who_recorded_the_consent_cannot_enroll_either(separated, api_as, photo):
    rec = separated
    subject = rec.subject("Ann")
    assert _record(api_as(rec.world.owner), rec, subject, deployment=False).status_code == 201
    response = api_as(rec.world.owner).post(
        "/api/v1/enrollments/", _enroll_body(rec, subject, photo), format="multipart"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "separation_of_duties"


def test_without_the_setting_the_recorder_may_enroll(rec, api_as, photo):
    assert rec.org.separate_consent_and_enrollment is False  # the default
    assign_perm(ENROLL, rec.world.operator, rec.deployment)
    subject = rec.subject("Ann")
    assert _record(api_as(rec.world.operator), rec, subject).status_code == 201
    response = api_as(rec.world.operator).post(
        "/api/v1/enrollments/", _enroll_body(rec, subject, photo), format="multipart"
    )
    assert response.status_code == 202


def test_an_api_key_acts_as_its_own_member(separated, api_key_client, api_as, photo):
    rec = separated
    kiosk = api_key_client(rec.org, "operator")
    assign_perm(ENROLL, kiosk.api_key.user, rec.deployment)
    assign_perm(ENROLL, rec.world.operator, rec.deployment)
    subject = rec.subject("Ann")
    assert _record(kiosk, rec, subject).status_code == 201

    response = kiosk.post(
        "/api/v1/enrollments/", _enroll_body(rec, subject, photo), format="multipart"
    )
    assert response.status_code == 403 and response.json()["code"] == "separation_of_duties"
    other = api_as(rec.world.operator).post(
        "/api/v1/enrollments/", _enroll_body(rec, subject, photo), format="multipart"
    )
    assert other.status_code == 202


def test_a_self_service_consent_names_no_recorder(separated, faces):
    """The person's own consent (no member recorded it) never blocks an enrollment."""
    rec = separated
    subject = rec.subject("Ann")
    rec.consent(subject)  # no collected_by: given by the person
    enrollment = enrollment_request(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        subject=subject,
        image=faces.read("obama.jpg"),
        content_type="image/jpeg",
        actor=Actor.system("test"),
        user=rec.world.owner,
    )
    assert enrollment.status == Enrollment.Status.QUEUED


def test_the_panel_shows_the_rule_to_the_recorder(separated, panel_as, api_as, photo):
    rec = separated
    assign_perm(ENROLL, rec.world.operator, rec.deployment)
    subject = rec.subject("Ann")
    assert _record(api_as(rec.world.operator), rec, subject).status_code == 201
    response = panel_as(rec.world.operator).post(
        "/o/acme/recognition/enroll/",
        {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "subject": str(subject.pseudonym),
            "image": photo(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Separation of duties" in html
    assert "Ask another member" in html
    assert not Enrollment.objects.filter(subject=subject).exists()


def test_service_refuses_the_recorder_whatever_calls_it(separated, faces):
    rec = separated
    assign_perm(ENROLL, rec.world.operator, rec.deployment)
    subject = rec.subject("Ann")
    consent = rec.consent(subject)
    Consent.objects.filter(pk=consent.pk).update(collected_by=rec.world.operator)
    with pytest.raises(Forbidden, match="Separation of duties"):
        enrollment_request(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            subject=subject,
            image=faces.read("obama.jpg"),
            content_type="image/jpeg",
            actor=Actor.system("test"),
            user=rec.world.operator,
        )
