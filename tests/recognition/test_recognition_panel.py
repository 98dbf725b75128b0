"""Panel pages for recognition: roles, isolation, the enroll form and the job progress page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recognition.models import Enrollment, RecognitionJob

pytestmark = pytest.mark.django_db

PAGES = ["/o/acme/recognition/enroll/", "/o/acme/recognition/jobs/"]


@pytest.mark.parametrize("role", ["owner", "dpo", "operator", "auditor"])
@pytest.mark.parametrize("url", PAGES)
def test_recognition_pages_open_for_every_member(rec, panel_as, role, url):
    assert panel_as(rec.world.user(role)).get(url).status_code == 200


@pytest.mark.parametrize("url", [*PAGES, "/o/acme/recognition/review/"])
def test_recognition_pages_of_another_organization_are_not_found(rec, panel_as, url):
    assert panel_as(rec.world.outsider).get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 200), ("dpo", 200), ("operator", 403), ("auditor", 403)]
)
def test_review_queue_page_answers_each_role(rec, panel_as, role, status):
    assert panel_as(rec.world.user(role)).get("/o/acme/recognition/review/").status_code == status


def test_enroll_form_shows_the_refusal_and_stores_nothing(rec, panel_as, faces):
    subject = rec.subject("No consent")
    response = panel_as(rec.world.owner).post(
        "/o/acme/recognition/enroll/",
        {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "subject": str(subject.pseudonym),
            "image": SimpleUploadedFile("o.jpg", faces.read("obama.jpg"), "image/jpeg"),
        },
    )
    assert response.status_code == 200
    assert "no active consent" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_new_job_redirects_to_its_progress_page(rec, panel_as, faces):
    client = panel_as(rec.world.owner)
    response = client.post(
        "/o/acme/recognition/jobs/",
        {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "mode": "detect",
            "images": [SimpleUploadedFile("o.jpg", faces.read("obama.jpg"), "image/jpeg")],
        },
    )
    job = RecognitionJob.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"<progress" in page.content
    # A queued job does not claim it found no faces.
    assert "No faces" not in page.content.decode()
    assert "Results appear here when the job finishes." in page.content.decode()
    status = client.get(f"/o/acme/recognition/jobs/{job.public_id}/status.json").json()
    assert status == {
        "label": "Queued (Waiting, 0/1 images)",
        "status": "queued",
        "phase": "waiting",
        "progress": 0,
        "images_done": 0,
        "images_total": 1,
        "finished": False,
    }
    assert panel_as(rec.world.outsider).get(response["Location"]).status_code == 404


def test_dashboard_shows_recognition_figures(rec, panel_as):
    page = panel_as(rec.world.owner).get("/o/acme/").content.decode()
    assert "recognition jobs in 24 hours" in page
