"""Job previews on a real worker (issue 19): the worker process makes the preview, and a browser
draws the boxes over it on the job page, under the portal's content security policy."""

import pytest

from recognition.blobs import blob_files
from recognition.models import ProbeImage, RecognitionJob
from recognition.services.jobs import recognition_job_create
from tests.portal.journeys.conftest import staff_signs_in
from tests.recognition.conftest import live_workers, make_rec_world, wait_for  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_makes_the_preview_and_the_page_draws_the_boxes_on_it(
    world,
    live_server,
    browser,
    faces,
    live_workers,  # noqa: F811
):
    live_workers(1)
    rec = make_rec_world(world)
    job = recognition_job_create(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        mode="detect",
        images=[(faces.read("two_people.jpg"), "image/jpeg")],
        actor=rec.actor,
    )
    assert wait_for(
        lambda: RecognitionJob.objects.filter(
            pk=job.pk, status=RecognitionJob.Status.SUCCEEDED
        ).exists(),
        seconds=90,
    )
    probe = ProbeImage.objects.get(job=job)
    assert probe.path == "" and probe.preview_width == 480
    assert blob_files("probes") == [] and len(blob_files("previews")) == 1

    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    # The auditor reads results and signs in without a second factor.
    staff_signs_in(page, live_server.url, world.auditor)
    preview_url = f"/o/acme/recognition/jobs/{job.public_id}/images/1/preview.jpg"
    with page.expect_response(lambda r: r.url.endswith(preview_url)) as answer:
        page.goto(f"{live_server.url}/o/acme/recognition/jobs/{job.public_id}/")
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "no-store"
    figure = page.locator("svg.on-preview")
    assert figure.locator("image").count() == 1
    assert figure.locator("rect.face-box").count() == 2
    # Drawn at the preview's own size (not the 240 px plain frame).
    assert figure.bounding_box()["width"] > 400
    context.close()
