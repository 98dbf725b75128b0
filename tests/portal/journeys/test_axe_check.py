"""The journeys' accessibility check is not vacuous: on a page with known faults it reports them
with their impact, so "0 serious or critical" on the journeys means something."""

import pytest

from tests.portal.journeys.conftest import AxeLog

pytestmark = [pytest.mark.browser]


def test_axe_reports_an_image_without_alt_and_a_field_without_label(browser):
    page = browser.new_context().new_page()
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>Faults</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<form><input type="text" name="q"></form></main></body></html>'
    )
    log = AxeLog("faults")
    log.check(page)
    found = {rule: impact for rule, impact, _targets in log.pages[0][1]}
    assert found.get("image-alt") == "critical"
    assert "label" in found
    assert len(log.blocking()) >= 2
    page.context.close()
