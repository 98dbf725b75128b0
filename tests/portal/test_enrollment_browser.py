"""In real Chromium under the content security policy: the enrollment form's subject picker
suggests subjects as one types, and the purposes narrow to the deployment chosen (issue 19)."""

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import sign_in
from tests.factories import DeploymentFactory, PurposeFactory
from tests.recognition.conftest import make_rec_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_picker_suggests_subjects_and_purposes_follow_the_deployment(world, live_server, browser):
    rec = make_rec_world(world)
    ann = rec.subject("Ann Lee", email="ann@example.test")
    canteen = PurposeFactory(organization=world.org, name="Canteen")
    DeploymentFactory(organization=world.org, status="active", name="Canteen till")
    session = sign_in(Client(), world.owner).cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context()
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/o/acme/recognition/enroll/")

    page.locator("input[data-subject-picker]").fill("Ann")
    option = page.locator(f'datalist option[value="{ann.pseudonym}"]')
    option.wait_for(state="attached")
    assert option.get_attribute("label") == "Ann Lee <ann@example.test>"

    page.select_option("#id_deployment", str(rec.deployment.pk))
    hidden = page.locator(f'#id_purpose option[value="{canteen.pk}"]')
    assert hidden.evaluate("o => o.hidden")
    shown = page.locator(f'#id_purpose option[value="{rec.purpose.pk}"]')
    assert not shown.evaluate("o => o.hidden")
    context.close()
