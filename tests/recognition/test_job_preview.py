"""Job previews (issue 19): a small encrypted copy of each job photo, made on the worker, drawn
under the result boxes, served only to those who may see results, audited, and deleted with
the job or once RECOGNITION_JOB_PREVIEW_SECONDS have passed (R21, R24)."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from PIL import Image

from audit.models import AuditEvent
from recognition import crypto
from recognition.blobs import blob_delete, blob_files, blob_read
from recognition.models import ProbeImage, RecognitionJob, RecognitionResult
from recognition.services.jobs import probes_sweep, recognition_job_create
from recognition.services.keys import organization_key_rotate
from recognition.services.previews import PREVIEW_SIDE, job_previews_delete
from tenants import roles

pytestmark = pytest.mark.django_db

VIEWED = "recognition.job_preview_viewed"


def _job(rec, run_on_commit, photos, mode="detect"):
    job = run_on_commit(
        lambda: recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            mode=mode,
            images=[(p, "image/jpeg") for p in photos],
            actor=rec.actor,
        )
    )
    job.refresh_from_db()
    return job


@pytest.fixture
def job(rec, faces, cached_engine, eager, run_on_commit):
    """A finished detect job over one photo of two people (1126×661 px)."""
    job = _job(rec, run_on_commit, [faces.read("two_people.jpg")])
    assert job.status == RecognitionJob.Status.SUCCEEDED
    return job


def _url(job, number=1, org="acme"):
    return f"/o/{org}/recognition/jobs/{job.public_id}/images/{number}/preview.jpg"


def _page(job):
    return f"/o/acme/recognition/jobs/{job.public_id}/"


def _served(client, job, number=1, org="acme"):
    response = client.get(_url(job, number, org))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_processing_keeps_a_small_preview_and_the_boxes_are_scaled_onto_it(rec, job, panel_as):
    probe = ProbeImage.objects.get(job=job)
    assert probe.path == "" and probe.deleted_at is not None  # the upload itself is gone
    scale = PREVIEW_SIDE / 1126
    assert (probe.preview_width, probe.preview_height) == (480, round(661 * scale))
    assert probe.preview_scale == pytest.approx(scale, rel=1e-3)

    response, body = _served(panel_as(rec.world.owner), job)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store"
    image = Image.open(io.BytesIO(body))
    assert image.format == "JPEG" and image.size == (probe.preview_width, probe.preview_height)
    assert not image.getexif() and "icc_profile" not in image.info

    page = panel_as(rec.world.owner).get(_page(job)).content.decode()
    assert f'viewBox="0 0 {probe.preview_width} {probe.preview_height}"' in page
    assert f'<image href="{_url(job)}"' in page
    assert "preview is gone" not in page
    drawn = {
        tuple(int(v) for v in m)
        for m in re.findall(
            r'<rect x="(-?\d+)" y="(-?\d+)" width="(\d+)" height="(\d+)" class="face-box"', page
        )
    }
    expected = set()
    for result in RecognitionResult.objects.filter(job=job):
        top, right, bottom, left = result.box
        expected.add(
            (
                round(left * scale),
                round(top * scale),
                round((right - left) * scale),
                round((bottom - top) * scale),
            )
        )
    assert len(expected) == 2 and drawn == expected


def test_the_preview_is_encrypted_at_rest_and_bound_to_its_image(rec, job, panel_as):
    probe = ProbeImage.objects.get(job=job)
    (path,) = blob_files("previews")
    stored = blob_read(probe.preview_path)
    assert path.read_bytes() == stored
    # Not a JPEG, nor anything that names one: AES-GCM ciphertext under the preview's own key.
    assert not stored.startswith(b"\xff\xd8") and b"JFIF" not in stored and b"Exif" not in stored
    assert probe.preview_key_wrapped is not None
    # Moved onto another image's row, the file does not decrypt: the page says it is gone.
    ProbeImage.objects.filter(pk=probe.pk).update(index=5)
    assert _served(panel_as(rec.world.owner), job, number=6)[0].status_code == 404


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 200), ("dpo", 200), ("auditor", 200), ("operator", 404)]
)
def test_the_preview_is_served_only_to_roles_that_see_results(rec, job, panel_as, role, status):
    assert _served(panel_as(rec.world.user(role)), job)[0].status_code == status


def test_an_operator_granted_the_deployments_results_sees_the_preview(rec, job, panel_as):
    operator = rec.world.user("operator")
    assign_perm(roles.VIEW_RESULTS, operator, rec.deployment)
    assert _served(panel_as(operator), job)[0].status_code == 200


def test_another_organizations_job_preview_is_not_found(rec, job, panel_as):
    outsider = panel_as(rec.world.outsider)
    assert _served(outsider, job)[0].status_code == 404
    assert _served(outsider, job, org="other")[0].status_code == 404
    assert not AuditEvent.objects.filter(action=VIEWED).exists()


def test_every_viewing_is_audited_once_and_refusals_are_not(rec, job, panel_as):
    owner = panel_as(rec.world.owner)
    for expected in (1, 2):
        assert _served(owner, job)[0].status_code == 200
        assert AuditEvent.objects.filter(action=VIEWED).count() == expected
    assert _served(owner, job, number=2)[0].status_code == 404  # no such image
    # An operator without a grant on the deployment does not even see the job.
    assert _served(panel_as(rec.world.user("operator")), job)[0].status_code == 404
    event = AuditEvent.objects.filter(action=VIEWED).latest("pk")
    assert event.organization_id == rec.org.pk
    assert event.target_id == str(job.public_id)
    assert event.details["image_number"] == 1
    assert AuditEvent.objects.filter(action=VIEWED).count() == 2
    log = panel_as(rec.world.auditor).get("/o/acme/audit/").content.decode()
    assert "job photo preview viewed" in log and "<dt>Image</dt><dd>1</dd>" in log


def test_the_preview_goes_after_its_time_limit(rec, job, panel_as, settings, run_on_commit):
    owner = panel_as(rec.world.owner)
    probe = ProbeImage.objects.get(job=job)
    limit = timedelta(seconds=settings.RECOGNITION_JOB_PREVIEW_SECONDS)
    assert probe.preview_until - timezone.now() <= limit
    # Past its time it is never served, even before the sweep has run.
    ProbeImage.objects.filter(pk=probe.pk).update(preview_until=timezone.now())
    assert _served(owner, job)[0].status_code == 404
    page = owner.get(_page(job)).content.decode()
    assert "preview is gone" in page and "<image " not in page
    assert 'class="face-box"' in page  # the plain frame, as before previews
    counts = run_on_commit(lambda: probes_sweep(now=timezone.now() + timedelta(seconds=1)))
    assert counts["previews_expired"] == 1
    assert blob_files("previews") == []
    probe.refresh_from_db()
    assert probe.preview_path == "" and probe.preview_key_wrapped is None


def test_the_hourly_sweep_keeps_a_preview_within_its_time(rec, job, run_on_commit):
    assert run_on_commit(probes_sweep)["previews_expired"] == 0
    assert len(blob_files("previews")) == 1


def test_the_preview_is_deleted_with_the_job(rec, job, panel_as, run_on_commit):
    assert run_on_commit(lambda: job_previews_delete(job=job)) == 1
    assert blob_files("previews") == []
    assert _served(panel_as(rec.world.owner), job)[0].status_code == 404


def test_a_failed_job_keeps_no_preview(rec, faces, cached_engine, eager, run_on_commit):
    photo = faces.read("two_people.jpg")

    def create_then_lose_the_second_upload():
        job = recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            mode="detect",
            images=[(photo, "image/jpeg"), (photo, "image/jpeg")],
            actor=rec.actor,
        )
        # Lost before the worker reads it: the job fails after the first image is done.
        blob_delete(ProbeImage.objects.get(job=job, index=1).path)
        return job

    job = run_on_commit(create_then_lose_the_second_upload)
    job.refresh_from_db()
    assert job.status == RecognitionJob.Status.FAILED, job.error_code
    assert ProbeImage.objects.get(job=job, index=0).encoded_at is not None
    assert blob_files("previews") == [] and blob_files("probes") == []


def test_a_key_rotation_rewraps_the_preview_key(rec, job, panel_as):
    before = bytes(ProbeImage.objects.get(job=job).preview_key_wrapped)
    counts = organization_key_rotate(organization=rec.org, actor=rec.actor)
    assert counts["preview_keys"] == 1
    assert bytes(ProbeImage.objects.get(job=job).preview_key_wrapped) != before
    assert _served(panel_as(rec.world.owner), job)[0].status_code == 200


def test_the_preview_is_sealed_with_aes_gcm(rec, job):
    stored = blob_read(ProbeImage.objects.get(job=job).preview_path)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(crypto.generate_key(), stored, aad=b"{}")


def test_erasing_a_subject_deletes_the_previews_of_jobs_that_named_them(
    rec, faces, cached_engine, eager, run_on_commit
):
    from recognition.services.enrollment import enrollment_request
    from recognition.services.templates import subject_biometrics_erase

    people = {}
    for name in ("obama", "biden"):
        subject = rec.subject(name)
        rec.consent(subject)
        run_on_commit(
            lambda s=subject, n=name: enrollment_request(
                organization=rec.org,
                deployment=rec.deployment,
                purpose=rec.purpose,
                subject=s,
                image=faces.read(f"{n}.jpg"),
                content_type="image/jpeg",
                actor=rec.actor,
            )
        )
        people[name] = subject
    named = _job(rec, run_on_commit, [faces.read("obama2.jpg")], mode="identify")
    other = _job(rec, run_on_commit, [faces.read("no_face_coffee_skimage.jpg")], mode="detect")
    assert RecognitionResult.objects.filter(job=named, subject=people["obama"]).exists()
    assert len(blob_files("previews")) == 2
    summary = run_on_commit(
        lambda: subject_biometrics_erase(
            organization=rec.org, subject=people["obama"], actor=rec.actor, reason="erasure"
        )
    )
    assert summary["job_previews"] == 1
    assert ProbeImage.objects.get(job=named).preview_path == ""
    assert ProbeImage.objects.get(job=other).preview_path != ""
    assert len(blob_files("previews")) == 1
