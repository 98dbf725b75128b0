"""In real Chromium, under the content security policy: an owner sets up a second factor and
signs in with it, the panel's scripts work (language, organization switch), and the API docs
render. The ``browser`` fixture fails the test on any policy refusal Chromium reports."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory
from tests.tenants.conftest import totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_sets_up_a_second_factor_and_the_panel_works_under_the_policy(
    world, live_server, browser
):
    MembershipFactory(organization=OrganizationFactory(name="Beta", slug="beta"), user=world.owner)
    base = live_server.url
    page = browser.new_context().new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail or user name").fill("owner@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/second-factor/setup/**")
    assert page.locator("figure.qr svg").is_visible()
    device = TOTPDevice.objects.get(user=world.owner, confirmed=False)
    page.get_by_label("Code").fill(totp_now(device))
    page.get_by_role("button", name="Confirm").click()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept them; continue").click()
    page.wait_for_url(re.compile(r".*/o/(acme|beta)/$"))

    # The organization switch (a data- attribute, portal.js) goes to the chosen panel.
    page.goto(f"{base}/o/acme/")
    page.select_option("#org-select", "beta")
    page.wait_for_url("**/o/beta/")
    # The language select submits itself.
    with page.expect_navigation():
        page.select_option("#lang-select", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # The API docs render their operations with scripts from this site only.
    page.goto(f"{base}/api/v1/docs/")
    page.locator(".opblock").first.wait_for()
    page.goto(f"{base}/api/v1/redoc/")
    page.locator("text=FaceConsent Portal API").first.wait_for()
    # Redoc's bundle always shows Redocly's logo from their CDN: the policy refuses it, as it
    # should (a staff member's address is not sent to a third party). Nothing else is refused.
    page.wait_for_timeout(500)
    logo = [r for r in browser.csp_refusals if "https://cdn.redoc.ly/" in r]
    assert len(logo) <= 1
    for refusal in logo:
        browser.csp_refusals.remove(refusal)
