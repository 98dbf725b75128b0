"""In real Chromium: a person asks for a copy of their data and then for its erasure; the DPO
handles both in the panel, and the erasure's verification report is shown.
"""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from dsr.models import DataRequest
from recognition.models import FaceTemplate
from tests.dsr.conftest import put_face_data
from tests.factories import PASSWORD
from tests.tenants.conftest import totp_now

User = get_user_model()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _person_signs_in(page, base):
    page.goto(f"{base}/me/")
    page.get_by_label("Your e-mail address").fill("ann@example.test")
    page.get_by_role("button", name="Send me a code").click()
    page.wait_for_url("**/me/code/")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("The 6-digit code from the e-mail").fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/me/consents/")


def _person_asks(page, base, choice: str):
    page.goto(f"{base}/me/requests/")
    page.get_by_label(choice).check()
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/me/requests/")
    assert "We will answer by" in page.locator("body").inner_text()


def _dpo_completes(page, base, kind_label: str, button: str):
    page.goto(f"{base}/o/acme/dsr/")
    row = page.get_by_role("row").filter(has_text=kind_label)
    row.get_by_role("link").first.click()
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_person_asks_for_a_copy_then_erasure_and_the_dpo_handles_both(
    dw, live_server, browser, tmp_path
):
    put_face_data(dw)
    authenticator = TOTPDevice.objects.create(
        user=User.objects.get(username="dpo@acme.test"), name="phone", confirmed=True
    )
    base = live_server.url
    person = browser.new_context(accept_downloads=True, viewport={"width": 390, "height": 844})
    me = person.new_page()
    _person_signs_in(me, base)
    _person_asks(me, base, "Get a copy of my data")

    staff = browser.new_context()
    dpo = staff.new_page()
    dpo.goto(f"{base}/accounts/login/")
    dpo.get_by_label("E-mail or user name").fill("dpo@acme.test")
    dpo.get_by_label("Password").fill(PASSWORD)
    dpo.get_by_role("button", name="Sign in").click()
    # A DPO gives the code from their authenticator after the password (issue 15).
    dpo.wait_for_url("**/accounts/second-factor/verify/**")
    dpo.get_by_label("Code").fill(totp_now(authenticator))
    dpo.get_by_role("button", name="Continue").click()
    dpo.wait_for_url(re.compile(r".*/o/acme/.*|.*/$"))
    _dpo_completes(dpo, base, "Get a copy of my data", "Prepare the package")
    assert "Request completed." in dpo.locator("body").inner_text()

    # The person reads the package and downloads it as JSON.
    copy = DataRequest.objects.get(kind="portability")
    me.goto(f"{base}/me/requests/{copy.pk}/")
    me.get_by_role("link", name="Read my data").click()
    assert me.get_by_role("heading", name="Everything we hold about you").is_visible()
    body = me.locator("body").inner_text()
    assert "Ann Example" in body and "HQ gate" in body
    me.goto(f"{base}/me/requests/{copy.pk}/")
    with me.expect_download() as download_info:
        me.get_by_role("link", name="Download my data (JSON)").click()
    path = tmp_path / "package.json"
    download_info.value.save_as(path)
    package = json.loads(path.read_text())
    assert package["profile"]["email"] == "ann@example.test"
    assert package["biometrics"]["enrollments"]

    # Then asks for erasure; the DPO erases and sees the verification report.
    _person_asks(me, base, "Delete my data")
    _dpo_completes(dpo, base, "Delete my data", "Erase and verify")
    assert dpo.locator("#verification-result").inner_text() == (
        "Passed: nothing of the person is left."
    )
    assert "recognition_facetemplate" in dpo.locator("table").inner_text()
    erasure = DataRequest.objects.get(kind="erasure")
    assert erasure.status == "completed" and erasure.verification_report["passed"]
    assert not FaceTemplate.objects.filter(subject=dw.subject).exists()

    # The erased person's session no longer opens anything.
    me.goto(f"{base}/me/requests/")
    assert me.url.endswith("/me/")
    person.close()
    staff.close()
