"""Journey 4 (issue 19): an auditor verifies the audit chain from the dashboard and the audit
log, exports the log as CSV and as a verifiable bundle, and the bundle checks out offline."""

import csv
import io
import json

import pytest

from audit.offline import verify_export
from audit.services import audit_verifier_key
from tests.portal.journeys.conftest import keep_screenshot, staff_signs_in
from tests.recognition.conftest import make_rec_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_auditor_verifies_the_chain_and_exports_it(world, live_server, browser, axe, tmp_path):
    rec = make_rec_world(world)
    for name in ("Ann Lee", "Bo Chen"):
        rec.withdraw(rec.consent(rec.subject(name)))
    base = live_server.url
    context = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    staff_signs_in(page, base, world.auditor)
    axe.check(page)

    page.goto(f"{base}/o/acme/")
    axe.check(page)
    page.get_by_role("button", name="Verify the audit chain").click()
    page.wait_for_url(f"{base}/o/acme/")
    assert "intact" in page.get_by_role("status").first.inner_text().lower()
    axe.check(page)

    page.get_by_role("navigation").get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/o/acme/audit/")
    axe.check(page)
    page.get_by_role("button", name="Verify now").click()
    page.wait_for_url("**/o/acme/audit/")
    assert "intact" in page.get_by_role("status").first.inner_text().lower()
    axe.check(page)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(csv_download.value.path().read_text())))
    assert any(row.get("action") == "consent.withdrawn" for row in rows), rows[:2]

    with page.expect_download() as bundle_download:
        page.get_by_role("link", name="Verifiable export (JSON)").click()
    bundle = json.loads(bundle_download.value.path().read_text())
    outcome = verify_export(bundle, audit_verifier_key())
    assert outcome.ok, outcome.problems

    keep_screenshot(page, "auditor-audit-chain", tmp_path)
    context.close()
