"""/api/v1/enrollments/, /recognition-jobs/, /review-queue/: roles, grants and isolation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.shortcuts import assign_perm

from recognition.models import Enrollment, RecognitionJob, RecognitionResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(faces):
    return lambda name="obama.jpg": SimpleUploadedFile(name, faces.read(name), "image/jpeg")


@pytest.fixture
def consenting(rec):
    subject = rec.subject("Ann")
    rec.consent(subject)
    return subject


def _job_data(rec, photo, mode="identify"):
    return {
        "deployment": rec.deployment.pk,
        "purpose": rec.purpose.pk,
        "mode": mode,
        "images": [photo(), photo("two_people.jpg")],
    }


def _enroll_data(rec, subject, photo):
    return {
        "deployment": rec.deployment.pk,
        "purpose": rec.purpose.pk,
        "subject": str(subject.pseudonym),
        "image": photo(),
    }


@pytest.mark.parametrize(("role", "status"), [("owner", 202), ("dpo", 403), ("auditor", 403)])
def test_enrollment_answers_each_role(rec, consenting, photo, api_as, role, status):
    response = api_as(rec.world.user(role)).post(
        "/api/v1/enrollments/", _enroll_data(rec, consenting, photo), format="multipart"
    )
    assert response.status_code == status, response.content
    if status == 202:
        body = response.json()
        assert body["status"] == "queued"
        assert Enrollment.objects.get(public_id=body["id"]).subject == consenting


def test_operator_enrolls_only_on_a_granted_deployment(rec, consenting, photo, api_as):
    client = api_as(rec.world.operator)
    url = "/api/v1/enrollments/"
    assert (
        client.post(url, _enroll_data(rec, consenting, photo), format="multipart").status_code
        == 403
    )
    assign_perm("governance.enroll_faces", rec.world.operator, rec.deployment)
    assert (
        client.post(url, _enroll_data(rec, consenting, photo), format="multipart").status_code
        == 202
    )


def test_enrollment_refusals_are_4xx_with_their_code(rec, photo, api_as, faces):
    client = api_as(rec.world.owner)
    stranger = rec.subject("No consent")
    response = client.post(
        "/api/v1/enrollments/", _enroll_data(rec, stranger, photo), format="multipart"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "consent_required"
    consenting = rec.subject("Bo")
    rec.consent(consenting)
    data = _enroll_data(rec, consenting, photo) | {
        "image": SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0 broken", "image/jpeg")
    }
    response = client.post("/api/v1/enrollments/", data, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] not in ("invalid", "")
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("owner", 202), ("dpo", 403), ("auditor", 403)])
def test_job_creation_answers_each_role(rec, photo, api_as, role, status):
    response = api_as(rec.world.user(role)).post(
        "/api/v1/recognition-jobs/", _job_data(rec, photo), format="multipart"
    )
    assert response.status_code == status, response.content
    if status == 202:
        assert response.json()["images_total"] == 2


def test_operator_runs_jobs_only_on_granted_deployments(rec, photo, api_as):
    client = api_as(rec.world.operator)
    url = "/api/v1/recognition-jobs/"
    assert client.post(url, _job_data(rec, photo), format="multipart").status_code == 403
    assign_perm("governance.run_job", rec.world.operator, rec.deployment)
    response = client.post(url, _job_data(rec, photo), format="multipart")
    assert response.status_code == 202
    job_url = response.json()["url"]
    # RUN_JOB alone shows the job's progress but not who was recognised.
    assert client.get(job_url).json()["results"] is None
    assign_perm("governance.view_results", rec.world.operator, rec.deployment)
    assert client.get(job_url).json()["results"] == []


@pytest.mark.parametrize("mode", ["age", "gender", "ethnicity", "attributes"])
def test_r41_other_job_types_are_rejected_at_the_api(rec, photo, api_as, mode):
    response = api_as(rec.world.owner).post(
        "/api/v1/recognition-jobs/", _job_data(rec, photo, mode=mode), format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "job_type_not_allowed"
    assert not RecognitionJob.objects.exists()


@pytest.fixture
def job(rec, faces):
    from recognition.services.jobs import recognition_job_create

    return recognition_job_create(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        mode="detect",
        images=[(faces.read("obama.jpg"), "image/jpeg")],
        actor=rec.actor,
    )


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 200), ("dpo", 200), ("auditor", 200), ("operator", 404)]
)
def test_job_detail_answers_each_role(rec, job, api_as, role, status):
    response = api_as(rec.world.user(role)).get(f"/api/v1/recognition-jobs/{job.public_id}/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["progress"] == 0


def test_outsider_gets_404_for_jobs_and_enrollments_of_another_organization(
    rec, job, api_as, world
):
    url = f"/api/v1/recognition-jobs/{job.public_id}/"
    assert api_as(world.outsider).get(url).status_code == 404
    assert api_as(world.outsider, org_slug="acme").get(url).status_code == 404
    assert api_as(world.outsider).get("/api/v1/recognition-jobs/").json()["results"] == []


def test_outsider_cannot_start_a_job_on_another_organizations_deployment(rec, photo, api_as, world):
    response = api_as(world.outsider).post(
        "/api/v1/recognition-jobs/", _job_data(rec, photo), format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "deployment"
    assert not RecognitionJob.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 200), ("dpo", 200), ("operator", 403), ("auditor", 403)]
)
def test_review_queue_answers_each_role(rec, api_as, role, status):
    assert api_as(rec.world.user(role)).get("/api/v1/review-queue/").status_code == status


def test_r43_reviewer_confirms_a_pending_match(rec, job, api_as, consenting):
    result = RecognitionResult.objects.create(
        organization=rec.org,
        job=job,
        image_index=0,
        face_index=0,
        box=[1, 2, 3, 4],
        subject=consenting,
        subject_pseudonym=consenting.pseudonym,
        distance=0.3,
        matched=True,
        review_status="pending",
    )
    client = api_as(rec.world.dpo)
    assert [r["id"] for r in client.get("/api/v1/review-queue/").json()["results"]] == [result.pk]
    response = client.post(
        f"/api/v1/review-queue/{result.pk}/decide/", {"decision": "confirm"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["review_status"] == "confirmed"
    again = client.post(
        f"/api/v1/review-queue/{result.pk}/decide/", {"decision": "reject"}, format="json"
    )
    assert again.status_code == 404  # no longer in the queue


def test_webhook_endpoint_is_set_by_the_owner_only(rec, api_as, settings):
    settings.WEBHOOK_ALLOW_HTTP = True  # a receiver on loopback, let through for the test
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    data = {"url": "http://127.0.0.1:9/hook"}
    assert (
        api_as(rec.world.dpo).put("/api/v1/webhook-endpoint/", data, format="json").status_code
        == 403
    )
    response = api_as(rec.world.owner).put("/api/v1/webhook-endpoint/", data, format="json")
    assert response.status_code == 200
    assert len(response.json()["secret"]) > 30
    assert "secret" not in api_as(rec.world.owner).get("/api/v1/webhook-endpoint/").json()
