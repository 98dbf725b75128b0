"""Journey 3 (issue 19): a DPO signs in with a second factor, finds a person's request in the
request queue, records the identity check, starts it and answers it with the package."""

import json

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.actors import Actor
from dsr.models import DataRequest
from dsr.services.filing import dsr_request_file
from tests.portal.journeys.conftest import keep_screenshot, staff_signs_in
from tests.recognition.conftest import make_rec_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dpo_answers_a_data_subject_request(world, live_server, browser, axe, tmp_path):
    rec = make_rec_world(world)
    ann = rec.subject("Ann Lee", email="ann@example.test")
    rec.consent(ann)
    # Filed through the API: nobody has checked who asked yet, so the DPO must (R45).
    request = dsr_request_file(
        subject=ann,
        kind="access",
        channel="api",
        actor=Actor.system("partner"),
        message="Which photos of me do you keep?",
    )
    device = TOTPDevice.objects.create(user=world.dpo, name="phone", confirmed=True)
    base = live_server.url
    context = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    staff_signs_in(page, base, world.dpo, device)
    axe.check(page)

    page.goto(f"{base}/o/acme/")
    axe.check(page)
    page.get_by_role("navigation").get_by_role("link", name="Data-subject requests").click()
    page.wait_for_url("**/o/acme/dsr/")
    axe.check(page)
    page.get_by_role("row").filter(has_text="See my data").get_by_role("link").first.click()
    page.wait_for_url(f"**/o/acme/dsr/{request.pk}/")
    axe.check(page)

    page.get_by_label("How you checked the person's identity").fill(
        "Called back on the number in the staff record; she named her badge number."
    )
    page.get_by_role("button", name="Record the identity check").click()
    page.get_by_role("button", name="Start").wait_for()
    axe.check(page)
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Prepare the package").wait_for()
    axe.check(page)
    page.get_by_label("Answer to the person (optional)").fill(
        "Here is everything we hold about you, including the one face template."
    )
    page.get_by_role("button", name="Prepare the package").click()
    page.get_by_text("Request completed.").wait_for()
    assert page.locator("#status").inner_text().startswith("Completed")
    axe.check(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the package (JSON)").click()
    package = json.loads(download.value.path().read_text())
    assert package["profile"]["email"] == "ann@example.test"
    request.refresh_from_db()
    assert request.status == DataRequest.Status.COMPLETED
    assert "badge number" in request.identity_check

    keep_screenshot(page, "dpo-request-answered", tmp_path)
    context.close()
