"""Journey 2 (issue 19): an operator with grants on one deployment finds a subject with the
picker (no UUID pasted), enrolls their photo, watches the enrollment succeed, then starts a
recognition job and watches it finish on a real Celery worker, the face named in the results."""

import pytest

from audit.actors import Actor
from governance.services.deployments import deployment_grant_operator
from recognition.models import RecognitionJob
from tests.portal.journeys.conftest import keep_screenshot, staff_signs_in
from tests.recognition.conftest import live_workers, make_rec_world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_MS = 45_000  # a real worker encodes the face: generous, but never a fixed sleep


def test_operator_enrolls_with_the_picker_and_watches_a_job_finish(
    world,
    live_server,
    browser,
    axe,
    faces,
    live_workers,  # noqa: F811
    tmp_path,
):
    live_workers(1)
    rec = make_rec_world(world)
    subject = rec.subject("Barack Obama", external_ref="EMP-0044")
    rec.consent(subject)
    deployment_grant_operator(
        deployment=rec.deployment, user=world.operator, actor=Actor.system("set-up")
    )
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    staff_signs_in(page, base, world.operator)
    axe.check(page)

    page.goto(f"{base}/o/acme/")
    page.get_by_role("navigation").get_by_role("link", name="Enroll a face").click()
    page.wait_for_url("**/o/acme/recognition/enroll/")
    axe.check(page)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Enroll", exact=True))
    form.get_by_label("Deployment").select_option(label="HQ gate")
    form.get_by_label("Purpose").select_option(label="Office gate")
    picker = form.get_by_label("Subject")
    # An operator sees no names: the picker finds a subject by their exact staff reference.
    picker.fill("EMP-0044")
    suggestion = page.locator(f'datalist option[value="{subject.pseudonym}"]')
    suggestion.wait_for(state="attached")
    assert suggestion.get_attribute("label") == f"{subject.pseudonym} · EMP-0044"
    # Choosing a datalist suggestion puts its value in the field; headless Chromium draws no
    # dropdown to click, so the journey does what the choice does.
    picker.fill(suggestion.get_attribute("value"))
    form.get_by_label("Photo (one face)").set_input_files(str(faces.path("obama.jpg")))
    form.get_by_role("button", name="Enroll", exact=True).click()
    page.wait_for_url("**/o/acme/recognition/enroll/")
    # The page refreshes itself while the enrollment is queued or running.
    row = page.get_by_role("row").filter(has_text=str(subject.pseudonym))
    row.get_by_role("cell", name="Succeeded", exact=True).wait_for(timeout=WAIT_MS)
    axe.check(page)

    page.get_by_role("navigation").get_by_role("link", name="Recognition jobs").click()
    page.wait_for_url("**/o/acme/recognition/jobs/")
    axe.check(page)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Start", exact=True))
    form.get_by_label("Deployment").select_option(label="HQ gate")
    form.get_by_label("Purpose").select_option(label="Office gate")
    form.get_by_label("Mode").select_option("identify")
    form.get_by_label("Images").set_input_files(
        [str(faces.path("obama2.jpg")), str(faces.path("no_face_cat_chelsea_skimage.jpg"))]
    )
    form.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_url("**/o/acme/recognition/jobs/*/")
    axe.check(page)
    # The progress bar polls the job's status and the page shows the results when it ends.
    page.locator("#job-status").filter(has_text="Succeeded").wait_for(timeout=WAIT_MS)
    page.get_by_role("cell", name=str(subject.pseudonym)).wait_for()
    job = RecognitionJob.objects.get()
    assert job.status == RecognitionJob.Status.SUCCEEDED
    assert job.faces_found == 1
    axe.check(page)

    keep_screenshot(page, "operator-job-finished", tmp_path)
    context.close()
