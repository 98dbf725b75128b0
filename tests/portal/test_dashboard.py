"""The dashboard says what to do next, from the organization's real state (issue 19)."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from audit.models import AuditChainHead
from consent.services import consent_withdraw
from outbox.models import OutboxEvent
from portal.panel.dashboard_charts import dashboard_charts
from portal.panel.todo import dashboard_todo
from tests.consent.conftest import cw  # noqa: F401 - the consent world fixture
from tests.factories import (
    PASSWORD,
    AssessmentFactory,
    DataRequestFactory,
    DeploymentFactory,
)

pytestmark = pytest.mark.django_db


def _todo(world, role="owner"):
    return dashboard_todo(organization=world.org, user=world.user(role))


def _chart(world, key, role="owner"):
    charts = dashboard_charts(organization=world.org, user=world.user(role))
    return next(c for c in charts if c.key == key)


def test_a_draft_deployment_with_unmet_rules_is_a_todo_with_its_fix_link(world, panel_as):
    DeploymentFactory(organization=world.org, name="Back door", status="draft")
    items = [i for i in _todo(world) if i.kind == "rules"]
    assert len(items) == 1
    assert items[0].text.startswith("Back door: ") and "R" in items[0].text
    html = panel_as(world.owner).get("/o/acme/").content.decode()
    assert "What to do next" in html and "Back door" in html
    assert f'href="{items[0].url}"' in html.replace("&amp;", "&")


def test_requests_past_and_near_their_deadline_are_listed_most_urgent_first(world, cw):  # noqa: F811
    now = timezone.now()
    late = DataRequestFactory(subject=cw.subject, due_at=now - datetime.timedelta(days=1))
    soon = DataRequestFactory(subject=cw.subject, due_at=now + datetime.timedelta(days=2))
    DataRequestFactory(subject=cw.subject, due_at=now + datetime.timedelta(days=25))
    items = [i for i in _todo(world, "dpo") if i.kind == "request"]
    assert [i.url.rstrip("/").rsplit("/", 1)[1] for i in items] == [str(late.pk), str(soon.pk)]
    assert [i.urgency for i in items] == ["overdue", "due"]
    # Operators do not handle requests: not on their list.
    assert not [i for i in _todo(world, "operator") if i.kind == "request"]


def test_stale_assessments_pending_purges_and_filings_are_todos(world):
    deployment = DeploymentFactory(organization=world.org, status="draft")
    AssessmentFactory(deployment=deployment, status="stale", stale_reason="purpose changed")
    OutboxEvent.objects.create(topic="consent.withdrawn", organization_id=world.org.pk)
    OutboxEvent.objects.create(
        topic="consent.withdrawn", organization_id=world.outsider_org.pk
    )  # another organization's backlog is not ours
    kinds = {i.kind: i for i in _todo(world)}
    assert "purpose changed" in kinds["assessment"].text
    assert kinds["purge"].text.startswith("1 template deletion")
    assert "/o/acme/consents/" in kinds["purge"].url


def test_nothing_waiting_says_so(world, panel_as):
    html = panel_as(world.auditor).get("/o/acme/").content.decode()
    assert "Nothing is waiting" in html


def test_the_consent_chart_counts_given_and_withdrawn_today(world, cw):  # noqa: F811
    first, _receipt = cw.grant()
    from tests.factories import SubjectFactory

    cw.grant(subject=SubjectFactory(organization=world.org))
    consent_withdraw(consent=first, actor=cw.actor, channel="api")
    chart = _chart(world, "consents")
    today = timezone.localdate().strftime("%m-%d")
    row = next(r for r in chart.table_rows if r[0] == today)
    assert row == [today, "2", "1"]
    assert "2 consents given and 1 withdrawn" in chart.desc


def test_the_requests_chart_and_the_filing_gauge_show_real_numbers(world, cw, panel_as):  # noqa: F811
    DataRequestFactory(subject=cw.subject)
    DataRequestFactory(subject=cw.subject, status="completed")
    requests = dict(_chart(world, "requests").table_rows)
    assert requests["Identity verified"] == 1 and requests["Completed"] == 1
    assert requests["Received"] == 0
    gauge = _chart(world, "filing")
    assert [m["text"] for m in gauge.marks] == ["80%", "90%"]
    html = panel_as(world.owner).get("/o/acme/").content.decode()
    # Server-drawn SVG with a title, a description and the table alternative; no script.
    assert re.search(r'<svg class="chart-svg"[^>]*role="img"', html)
    assert '<title id="chart-requests-title">' in html and "<desc id=" in html
    assert "Show the numbers as a table" in html
    assert "<script>" not in html


def test_verify_the_audit_chain_from_the_dashboard_comes_back_to_it(world, panel_as):
    client = panel_as(world.auditor)
    assert "Verify the audit chain" in client.get("/o/acme/").content.decode()
    response = client.post("/o/acme/audit/verify/", {"next": "/o/acme/"})
    assert response.status_code == 302 and response["Location"] == "/o/acme/"
    assert AuditChainHead.objects.get(organization=world.org).verified_ok is True
    # An address elsewhere is not followed.
    response = client.post("/o/acme/audit/verify/", {"next": "https://evil.test/"})
    assert response["Location"] == "/o/acme/audit/"


def test_the_organization_name_is_shown_whole(world, panel_as):
    world.org.name = "Shanghai Pudong Municipal Facilities Management Company, Zhangjiang Branch"
    world.org.save()
    html = panel_as(world.owner).get("/o/acme/").content.decode()
    assert f'<h1 class="org-name">{world.org.name}</h1>' in html
    css = Path("portal/static/portal/portal.css").read_text()
    assert ".top .orgswitch select { max-width:min(40em, 90vw); }" in css


def test_an_outsider_gets_404_and_sees_none_of_it(world, panel_as):
    DeploymentFactory(organization=world.org, name="Back door", status="draft")
    assert panel_as(world.outsider).get("/o/acme/").status_code == 404
    other = dashboard_todo(organization=world.outsider_org, user=world.outsider)
    assert not any("Back door" in i.text for i in other)


def test_the_dashboard_in_a_browser_draws_its_charts_within_the_policy(
    world,
    cw,  # noqa: F811
    live_server,
    browser,
):
    cw.grant()
    DeploymentFactory(organization=world.org, name="Back door", status="draft")
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail or user name").fill("auditor@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/o/acme/")
    assert page.get_by_role("heading", name="What to do next").is_visible()
    assert page.get_by_role("img", name="Consents given and withdrawn per day").is_visible()
    # A filled bar is drawn for today's consent, with its value written above it.
    assert page.locator("#chart-consents rect[height]:not([height='0.0'])").count() >= 1
    page.get_by_text("Show the numbers as a table").first.click()
    assert page.locator("#chart-filing table").is_visible()
    # The organization's name is not cut off: the switcher is as wide as its longest name.
    select = page.locator("#org-select")
    assert select.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
