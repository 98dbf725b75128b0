"""What the five user journeys share (issue 19): signing in through the real pages, axe-core on
every page a journey shows, and the screenshot of its last page under docs/screenshots/.

axe-core comes from the ``axe-playwright-python`` package (it bundles axe.min.js), never from the
network at test time. It is handed to the page through Playwright's ``evaluate``, which the
DevTools protocol runs outside the page's content security policy, so the journeys keep the
policy in force (no ``bypass_csp``) and the ``browser`` fixture still fails on any refusal.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from tests.factories import PASSWORD
from tests.tenants.conftest import totp_now

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"

# Impacts that fail a journey (issue 19: 0 serious or critical violations on every page).
BLOCKING = {"serious", "critical"}


@dataclass
class AxeLog:
    """Every page a journey checked, with the violations axe-core found there."""

    journey: str
    pages: list = field(default_factory=list)

    def check(self, page) -> None:
        """Run axe-core on ``page`` as it stands and record its violations."""
        page.wait_for_load_state("load")
        page.evaluate(AXE_SCRIPT)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
            for v in result["violations"]
        ]
        self.pages.append((page.url, found))

    def blocking(self) -> list:
        return [
            f"{url}: {rule} ({impact}) at {targets}"
            for url, found in self.pages
            for rule, impact, targets in found
            if impact in BLOCKING
        ]

    def summary(self) -> str:
        total = sum(len(found) for _url, found in self.pages)
        return (
            f"axe[{self.journey}]: {len(self.pages)} pages, {total} violations, "
            f"{len(self.blocking())} serious or critical"
        )


@pytest.fixture
def axe(request):
    """Return the journey's ``AxeLog``; at the end the journey fails on a serious violation."""
    log = AxeLog(request.node.name)
    yield log
    print(log.summary())
    for url, found in log.pages:
        for rule, impact, _targets in found:
            print(f"  {impact:9} {rule} on {url}")
    assert log.pages, "the journey checked no page with axe-core"
    assert not log.blocking(), "\n".join(log.blocking())


def keep_screenshot(page, name: str, tmp_path: Path) -> Path:
    """Write the journey's last page to docs/screenshots/<name>.png (shown in the README).

    The committed image is written when it is missing or when UPDATE_SCREENSHOTS=1 asks for a
    new one; otherwise the shot goes to the test's temporary directory, so an ordinary run
    still takes it but does not leave every PNG of the checkout modified.
    """
    path = SCREENSHOTS / f"{name}.png"
    if path.exists() and os.environ.get("UPDATE_SCREENSHOTS") != "1":
        path = tmp_path / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 0
    return path


def staff_signs_in(page, base: str, user, device=None) -> None:
    """Sign ``user`` in through the sign-in page, and the second-factor page for ``device``."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail or user name").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        page.wait_for_url("**/accounts/second-factor/verify/**")
        page.get_by_label("Code").fill(totp_now(device))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
