"""A request's pixel and byte budgets, an organization's cap on active work, and no decoding on
the web thread (recognition/services/quotas.py, recognition/intake.py; issue 15)."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from recognition.blobs import blob_files
from recognition.intake import (
    BudgetExceeded,
    ImageRejected,
    accept_image,
    inspect_image,
    request_budget_check,
)
from recognition.models import Enrollment, RecognitionJob

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/recognition-jobs/"
ENROLLMENTS = "/api/v1/enrollments/"


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _png_with_damaged_pixels(width: int, height: int) -> bytes:
    """A PNG whose chunks are all well formed (lengths, CRCs, IEND) but whose compressed pixel
    data is noise: only decoding can tell."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", bytes(range(256)) * 4)
        + chunk(b"IEND", b"")
    )


def _upload(data: bytes, name: str = "probe.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "image/png")


def _job(rec, images, mode="detect") -> dict:
    return {
        "deployment": rec.deployment.pk,
        "purpose": rec.purpose.pk,
        "mode": mode,
        "images": [_upload(data, f"p{i}.png") for i, data in enumerate(images)],
    }


@pytest.fixture
def no_decoding(monkeypatch):
    """Make any full decode fail loudly: what runs under it decodes no pixel."""

    def refuse(self):
        raise AssertionError("a web request decoded an image")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


# --- Intake: headers only -------------------------------------------------------------------


def test_inspect_image_reads_the_size_without_decoding(no_decoding):
    header = inspect_image(_png(640, 480), claimed_type="image/png")

    assert (header.format, header.width, header.height, header.pixels) == ("PNG", 640, 480, 307200)
    assert header.size == len(_png(640, 480))
    with pytest.raises(AssertionError, match="decoded"):
        accept_image(_png(640, 480))  # the fixture does catch a decode


def test_damaged_pixel_data_passes_the_header_check_and_fails_the_decode():
    data = _png_with_damaged_pixels(64, 64)

    assert inspect_image(data).pixels == 64 * 64
    with pytest.raises(ImageRejected) as raised:
        accept_image(data)
    assert raised.value.code in {"not_an_image", "truncated"}


def test_inspect_image_refuses_what_the_header_shows(no_decoding):
    with pytest.raises(ImageRejected, match="megapixels") as raised:
        inspect_image(_png(300, 300), max_pixels=50_000)
    assert raised.value.code == "too_many_pixels"


def test_budget_check_names_the_budget_and_the_figures():
    headers = [inspect_image(_png(200, 100)) for _ in range(3)]

    with pytest.raises(BudgetExceeded, match="0.1 megapixels together") as pixels:
        request_budget_check(headers, max_bytes=10**9, max_pixels=50_000)
    total_bytes = sum(header.size for header in headers)
    with pytest.raises(BudgetExceeded, match="limit per request") as size:
        request_budget_check(headers, max_bytes=total_bytes - 1, max_pixels=10**9)

    assert (pixels.value.code, pixels.value.limit, pixels.value.requested) == (
        "pixel_budget_exceeded",
        50_000,
        60_000,
    )
    assert (size.value.code, size.value.requested) == ("byte_budget_exceeded", total_bytes)
    request_budget_check(headers, max_bytes=total_bytes, max_pixels=60_000)


# --- The API: 413 for a request's budgets ---------------------------------------------------


def test_a_job_over_the_pixel_budget_is_refused_with_413_and_nothing_stored(rec, api_as, settings):
    settings.RECOGNITION_REQUEST_MAX_PIXELS = 100_000
    images = [_png(200, 200)] * 3  # 120,000 pixels in all

    response = api_as(rec.world.owner).post(JOBS, _job(rec, images), format="multipart")

    assert response.status_code == 413, response.content
    body = response.json()
    assert body["code"] == "pixel_budget_exceeded"
    assert body["details"] == {"budget": "pixels", "limit": 100_000, "requested": 120_000}
    assert "megapixels" in body["message"]
    assert not RecognitionJob.objects.exists()
    assert blob_files() == []


def test_a_job_over_the_byte_budget_is_refused_with_413(rec, api_as, settings):
    images = [_png(64, 64)] * 4
    settings.RECOGNITION_REQUEST_MAX_BYTES = sum(map(len, images)) - 1

    response = api_as(rec.world.owner).post(JOBS, _job(rec, images), format="multipart")

    assert response.status_code == 413
    assert response.json()["code"] == "byte_budget_exceeded"
    assert response.json()["details"]["requested"] == sum(map(len, images))
    assert not RecognitionJob.objects.exists()


def test_a_request_declaring_a_length_over_the_budget_is_refused_before_it_is_read(
    rec, api_as, settings, monkeypatch
):
    from recognition.api import jobs

    settings.RECOGNITION_REQUEST_MAX_BYTES = 1_000
    big = _png(600, 600) + b"\x00" * 80_000  # zero padding after IEND is tolerated by intake
    called = []
    monkeypatch.setattr(jobs, "recognition_job_create", lambda **kwargs: called.append(kwargs))

    response = api_as(rec.world.owner).post(JOBS, _job(rec, [big]), format="multipart")

    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "byte_budget_exceeded"
    assert body["details"]["budget"] == "bytes" and body["details"]["requested"] > len(big)
    assert called == []


def test_a_job_within_the_budgets_is_accepted_without_decoding_on_the_web_thread(
    rec, api_as, no_decoding
):
    response = api_as(rec.world.owner).post(
        JOBS, _job(rec, [_png(320, 240), _png(320, 240)]), format="multipart"
    )

    assert response.status_code == 202, response.content
    assert RecognitionJob.objects.get().images_total == 2


def test_an_enrollment_is_accepted_without_decoding_and_the_worker_finds_damaged_pixels(
    rec, api_as, no_decoding, monkeypatch
):
    from recognition.services.enrollment import enrollment_process

    subject = rec.subject("Ann")
    rec.consent(subject)
    data = {
        "deployment": rec.deployment.pk,
        "purpose": rec.purpose.pk,
        "subject": str(subject.pseudonym),
        "image": _upload(_png_with_damaged_pixels(64, 64)),
    }

    response = api_as(rec.world.owner).post(ENROLLMENTS, data, format="multipart")

    assert response.status_code == 202, response.content
    monkeypatch.undo()  # the worker decodes
    enrollment = Enrollment.objects.get()
    enrollment_process(organization_id=rec.org.pk, enrollment_id=enrollment.pk)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.FAILED
    assert enrollment.error_code in {"not_an_image", "truncated"}


def test_a_job_with_damaged_pixels_is_accepted_and_fails_in_the_worker(rec, api_as):
    from recognition.services.jobs import recognition_job_run

    response = api_as(rec.world.owner).post(
        JOBS, _job(rec, [_png_with_damaged_pixels(64, 64)]), format="multipart"
    )

    assert response.status_code == 202, response.content
    job = RecognitionJob.objects.get()
    recognition_job_run(organization_id=rec.org.pk, job_id=job.pk, worker="test:1")
    job.refresh_from_db()
    assert (job.status, job.error_code) == (RecognitionJob.Status.FAILED, "probe_unreadable")


# --- The API: 429 for an organization's active work -----------------------------------------


def test_an_organization_at_its_cap_of_active_jobs_gets_429_and_another_does_not(
    rec, api_as, settings, world
):
    from tests.recognition.conftest import make_rec_world

    settings.RECOGNITION_MAX_ACTIVE_JOBS = 2
    settings.RECOGNITION_BUSY_RETRY_AFTER_SECONDS = 7
    client = api_as(rec.world.owner)
    statuses = [
        client.post(JOBS, _job(rec, [_png(32, 32)]), format="multipart").status_code
        for _ in range(2)
    ]

    refused = client.post(JOBS, _job(rec, [_png(32, 32)]), format="multipart")

    assert statuses == [202, 202]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "7"
    assert refused.json()["code"] == "too_many_active_jobs"
    assert refused.json()["details"] == {"limit": 2, "active": 2}
    assert RecognitionJob.objects.filter(organization=rec.org).count() == 2
    other = make_rec_world(world, org=world.outsider_org)
    accepted = api_as(world.outsider).post(JOBS, _job(other, [_png(32, 32)]), format="multipart")
    assert accepted.status_code == 202
    # A finished job frees its place.
    RecognitionJob.objects.filter(organization=rec.org).update(
        status=RecognitionJob.Status.SUCCEEDED
    )
    assert client.post(JOBS, _job(rec, [_png(32, 32)]), format="multipart").status_code == 202


def test_an_organization_at_its_cap_of_active_enrollments_gets_429(rec, api_as, settings):
    settings.RECOGNITION_MAX_ACTIVE_ENROLLMENTS = 1
    client = api_as(rec.world.owner)

    def enroll():
        subject = rec.subject()
        rec.consent(subject)
        data = {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "subject": str(subject.pseudonym),
            "image": _upload(_png(64, 64)),
        }
        return client.post(ENROLLMENTS, data, format="multipart")

    assert enroll().status_code == 202
    refused = enroll()

    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_active_enrollments"
    assert refused.json()["details"] == {"limit": 1, "active": 1}
    assert int(refused["Retry-After"]) >= 1
    assert Enrollment.objects.count() == 1


# --- The API: an organization's uploads in the web tier at once -----------------------------


@pytest.fixture
def fresh_cache(settings):
    """Slots counted in a cache of this test's own (a fresh key prefix)."""
    import uuid

    cache = dict(settings.CACHES["default"])
    cache["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": cache}


def test_an_organization_with_every_upload_slot_taken_gets_429_before_its_body_is_read(
    rec, api_as, settings, world, fresh_cache, monkeypatch
):
    from recognition.api import jobs
    from recognition.services.quotas import upload_slot_release, upload_slot_take
    from tests.recognition.conftest import make_rec_world

    settings.RECOGNITION_UPLOAD_SLOTS_PER_ORGANIZATION = 1
    in_progress = upload_slot_take(organization=rec.org)  # another upload of the organization
    parsed = []
    original = jobs.JobInput.__init__

    def recording(self, *args, **kwargs):
        parsed.append(True)
        original(self, *args, **kwargs)

    monkeypatch.setattr(jobs.JobInput, "__init__", recording)

    refused = api_as(rec.world.owner).post(JOBS, _job(rec, [_png(32, 32)]), format="multipart")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"
    assert refused.json()["code"] == "too_many_uploads"
    assert refused.json()["details"] == {"limit": 1, "active": 1}
    assert parsed == []
    other = make_rec_world(world, org=world.outsider_org)
    assert (
        api_as(world.outsider).post(JOBS, _job(other, [_png(32, 32)]), format="multipart")
    ).status_code == 202
    upload_slot_release(in_progress)
    assert (
        api_as(rec.world.owner).post(JOBS, _job(rec, [_png(32, 32)]), format="multipart")
    ).status_code == 202


def test_an_upload_gives_its_slot_back_however_it_ends(rec, api_as, settings, fresh_cache):
    settings.RECOGNITION_UPLOAD_SLOTS_PER_ORGANIZATION = 1
    client = api_as(rec.world.owner)

    refused = client.post(JOBS, _job(rec, [b"not an image"]), format="multipart")
    accepted = client.post(JOBS, _job(rec, [_png(32, 32)]), format="multipart")
    again = client.post(JOBS, _job(rec, [_png(32, 32)]), format="multipart")

    assert (refused.status_code, accepted.status_code, again.status_code) == (400, 202, 202)


def test_loading_the_face_library_leaves_damaged_images_refused():
    # face_recognition sets Pillow's LOAD_TRUNCATED_IMAGES on import; a worker that has loaded
    # it must still refuse damaged pixel data rather than decode noise.
    from PIL import ImageFile

    from recognition import engine

    engine._library()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    with pytest.raises(ImageRejected):
        accept_image(_png_with_damaged_pixels(64, 64))
