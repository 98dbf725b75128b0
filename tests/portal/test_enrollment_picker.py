"""Enrollment and jobs as people use them: a subject picker, purposes of the deployment, honest
states, 1-based numbering and results linked to the subject (issue 19)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.shortcuts import assign_perm

from audit.models import AuditEvent
from portal.panel.recognition.states import enrollment_outcome
from recognition.models import Enrollment
from tests.factories import PurposeFactory
from tests.recognition.conftest import make_rec_world

pytestmark = pytest.mark.django_db

SEARCH = "/o/acme/recognition/subject-search/"


@pytest.fixture
def rec(world):
    return make_rec_world(world)


def test_picker_search_finds_by_name_and_email_for_the_owner(rec, panel_as):
    ann = rec.subject("Ann Lee", email="ann@example.test")
    rec.world.outsider  # noqa: B018 (another organization's subjects are never found)
    client = panel_as(rec.world.owner)
    for term in ("Ann", "ann@example.test", str(ann.pseudonym)):
        results = client.get(SEARCH, {"q": term}).json()["results"]
        assert results == [
            {"pseudonym": str(ann.pseudonym), "label": "Ann Lee <ann@example.test>"}
        ], term
    listed = AuditEvent.objects.filter(action="subject.listed").last()
    assert listed.details["subjects"] == [str(ann.pseudonym)]


def test_picker_masks_names_and_refuses_name_search_for_operators(rec, panel_as):
    ann = rec.subject("Ann Lee", email="ann@example.test", external_ref="E-7")
    client = panel_as(rec.world.operator)
    assert client.get(SEARCH, {"q": "Ann"}).json()["results"] == []
    results = client.get(SEARCH, {"q": "E-7"}).json()["results"]
    assert results == [{"pseudonym": str(ann.pseudonym), "label": f"{ann.pseudonym} · E-7"}]
    assert "Ann" not in str(results)


def test_picker_search_is_scoped_to_the_organization(rec, panel_as):
    rec.subject("Ann Lee")
    assert panel_as(rec.world.outsider).get(SEARCH, {"q": "Ann"}).status_code == 404


def test_enroll_takes_a_typed_name_and_refuses_a_purpose_of_another_deployment(
    rec, panel_as, faces
):
    ann = rec.subject("Ann Lee", email="ann@example.test")
    rec.consent(ann)
    other = PurposeFactory(organization=rec.org, name="Canteen")
    client = panel_as(rec.world.owner)
    page = client.get("/o/acme/recognition/enroll/").content.decode()
    assert "data-subject-picker" in page and f'data-deployments="{rec.deployment.pk}"' in page
    photo = faces.read("obama.jpg")
    refused = client.post(
        "/o/acme/recognition/enroll/",
        {
            "deployment": rec.deployment.pk,
            "purpose": other.pk,
            "subject": "Ann Lee",
            "image": SimpleUploadedFile("o.jpg", photo, "image/jpeg"),
        },
    )
    assert refused.status_code == 200
    assert "not attached to HQ gate" in refused.content.decode()
    response = client.post(
        "/o/acme/recognition/enroll/",
        {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "subject": "ann@example.test",
            "image": SimpleUploadedFile("o.jpg", photo, "image/jpeg"),
        },
    )
    assert response.status_code == 302
    assert Enrollment.objects.get().subject_pseudonym == ann.pseudonym


def test_an_ambiguous_name_asks_to_choose(rec, panel_as, faces):
    rec.subject("Ann Lee")
    rec.subject("Ann Wu")
    response = panel_as(rec.world.owner).post(
        "/o/acme/recognition/enroll/",
        {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "subject": "Ann",
            "image": SimpleUploadedFile("o.jpg", faces.read("obama.jpg"), "image/jpeg"),
        },
    )
    assert "Several subjects match" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_an_enrollment_whose_template_was_purged_does_not_just_say_succeeded():
    enrollment = Enrollment(status="succeeded", template_state="purged_on_withdrawal")
    assert enrollment_outcome(enrollment) == "Template removed: Purged on withdrawal"
    assert enrollment_outcome(Enrollment(status="succeeded", template_state="stored")) == (
        "Succeeded"
    )


def test_operator_enrolls_only_with_a_grant_and_sees_pseudonyms(rec, panel_as):
    assign_perm("governance.enroll_faces", rec.world.operator, rec.deployment)
    page = panel_as(rec.world.operator).get("/o/acme/recognition/enroll/").content.decode()
    assert "Type a reference or pseudonym" in page


def _finished_job_with_a_named_face(rec, panel_as, faces):
    from recognition.models import RecognitionJob, RecognitionResult

    client = panel_as(rec.world.owner)
    client.post(
        "/o/acme/recognition/jobs/",
        {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "mode": "identify",
            "images": [SimpleUploadedFile("o.jpg", faces.read("obama.jpg"), "image/jpeg")],
        },
    )
    job = RecognitionJob.objects.get()
    RecognitionJob.objects.filter(pk=job.pk).update(status="succeeded", phase="done")
    ann = rec.subject("Ann Lee")
    RecognitionResult.objects.create(
        organization=rec.org,
        job=job,
        image_index=0,
        face_index=0,
        box=[60, 155, 200, 35],
        subject=ann,
        subject_pseudonym=ann.pseudonym,
        matched=True,
        decision="named",
    )
    return job, ann


def test_results_are_numbered_from_one_linked_to_the_subject_and_drawn(rec, panel_as, faces):
    job, ann = _finished_job_with_a_named_face(rec, panel_as, faces)
    page = panel_as(rec.world.owner).get(f"/o/acme/recognition/jobs/{job.public_id}/")
    html = page.content.decode()
    assert f'href="/o/acme/subjects/{ann.pseudonym}/"' in html
    assert "<td>1</td><td>1</td><td>120×140 px at (35, 60)</td>" in html
    assert '<rect x="35" y="60" width="120" height="140"' in html
    assert "No faces" not in html
