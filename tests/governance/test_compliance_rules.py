"""The compliance view lists every rule with its state, summary, fix and exports (issue 17)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from audit.models import AuditEvent
from governance.compliance import organization_compliance, rule_evaluators
from governance.compliance_export import compliance_pdf
from governance.rulebook import RULES, RuleState, State
from tests.factories import DeploymentFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


def _rows(org):
    return {row.rule.id: row for row in organization_compliance(organization=org)["rules"]}


def _page(panel_as, user):
    url = reverse("panel:gov_compliance", kwargs={"org_slug": "acme"})
    return panel_as(user).get(url).content.decode()


def test_every_rule_has_one_row_in_the_order_of_the_regulations(world):
    rows = organization_compliance(organization=world.org)["rules"]
    assert [r.rule.id for r in rows] == [f"R{n}" for n in range(1, 55)]
    enforced = [r for r in rows if r.rule.enforced]
    assert len(enforced) == 47
    # Every enforced rule is evaluated: none falls back to "no check exists".
    assert all(r.result.state != State.CONTEXT for r in enforced)
    assert all(r.result.message and r.rule.summary for r in rows)


def test_every_enforced_rule_has_an_evaluator_in_the_registry():
    evaluators = rule_evaluators()
    assert {r.id for r in RULES if r.enforced} <= set(evaluators)


def test_an_enforced_rule_without_an_evaluator_is_shown_unmet(world, monkeypatch):
    from governance import rule_evaluators as registry

    monkeypatch.delitem(registry.EVALUATORS, "R4")
    row = _rows(world.org)["R4"]
    assert row.result.state == State.UNMET and "No check" in row.result.message


def test_unmet_rule_links_to_the_form_that_fixes_it(world):
    toilet = DeploymentFactory(organization=world.org, place_type="public_toilet", name="Loo")
    row = _rows(world.org)["R7"]
    assert row.result.state == State.UNMET
    assert "Loo" in row.result.message
    assert row.result.fix_url == reverse(
        "panel:gov_deployment_edit", kwargs={"org_slug": "acme", "pk": toilet.pk}
    )


def test_not_applicable_rows_say_why_and_have_no_fix_link(world):
    make_ready(world.org)  # access control on private premises: no public place
    rows = _rows(world.org)
    for rule in ("R6", "R8", "R32"):
        assert rows[rule].result.state == State.NOT_APPLICABLE, rule
        assert rows[rule].result.message and rows[rule].result.fix_url == ""
    # A RuleState never carries a fix link when there is nothing to fix.
    assert RuleState(State.NOT_APPLICABLE, "why", "/o/acme/x/").fix_url == ""
    assert RuleState(State.MET, "how", "/o/acme/x/").fix_url == ""


def test_met_r41_says_what_makes_it_met(world):
    row = _rows(world.org)["R41"]
    assert row.result.state == State.MET
    assert "race, ethnicity, religion, health or social class" in row.result.message


def test_ready_deployment_meets_its_deployment_rules(world):
    make_ready(world.org)
    rows = _rows(world.org)
    for rule in ("R2", "R3", "R7", "R9", "R14", "R20", "R27", "R29"):
        assert rows[rule].result.state == State.MET, (rule, rows[rule].result)


def test_rules_not_built_yet_are_shown_honestly(world):
    make_ready(world.org)
    rows = _rows(world.org)
    assert rows["R51"].result.state == State.UNMET
    # R26: every site stores and processes where it collects, so no transfer (issue 17).
    assert rows["R26"].result.state == State.NOT_APPLICABLE
    # R25: the register is built; with no recipient nothing is shared.
    assert rows["R25"].result.state == State.MET
    for rule in ("R10", "R33"):
        assert rows[rule].result.state == State.PARTLY, rule
        assert "Not built yet" in rows[rule].result.message
    # R46 is built: the portability format, its download on /me/ and its import (issue 17).
    assert rows["R46"].result.state == State.MET


def test_page_shows_state_as_word_and_class_with_summary_and_fix(world, panel_as):
    DeploymentFactory(organization=world.org, place_type="public_toilet")
    page = _page(panel_as, world.auditor)
    for n in range(1, 55):
        assert f'id="rule-R{n}"' in page
    # Colour comes from a class in the static stylesheet; the state is also written out.
    assert 'class="rule-unmet" id="rule-R7"' in page
    assert '<span class="state state-unmet">Unmet</span>' in page
    assert '<span class="state state-not_applicable">Not applicable</span>' in page
    assert "Never in hotel rooms, public bathhouses, changing rooms or toilets." in page
    assert "Fix R7" in page
    assert "style=" not in page.split("<main", 1)[1]


def test_summaries_and_state_words_are_marked_for_translation():
    assert all(isinstance(rule.summary, Promise) for rule in RULES)
    assert all(isinstance(label, Promise) for label in State.LABELS.values())


def test_csv_export_lists_every_rule_and_is_audited(world, panel_as):
    DeploymentFactory(organization=world.org, place_type="public_toilet")
    url = reverse("panel:gov_compliance_csv", kwargs={"org_slug": "acme"})
    response = panel_as(world.auditor).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["rule"] for r in rows] == [f"R{n}" for n in range(1, 55)]
    r7 = next(r for r in rows if r["rule"] == "R7")
    assert r7["state"] == "Unmet" and r7["status"] == "C"
    assert r7["fix"].startswith("http") and "/o/acme/deployments/" in r7["fix"]
    r6 = next(r for r in rows if r["rule"] == "R6")
    assert r6["fix"] == ""
    event = AuditEvent.objects.get(organization=world.org, action="compliance.exported")
    assert event.details["format"] == "csv" and "R7" in event.details["unmet"]


def test_pdf_export_is_a_pdf_naming_every_rule(world, panel_as):
    url = reverse("panel:gov_compliance_pdf", kwargs={"org_slug": "acme"})
    response = panel_as(world.dpo).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    report = organization_compliance(organization=world.org)
    body = compliance_pdf(
        organization=world.org, rows=report["rules"], report=report, on=datetime.date(2026, 1, 5)
    )
    assert body.startswith(b"%PDF-") and len(body) > 2000


def test_pdf_export_in_chinese_uses_a_font_that_prints_it(world):
    report = organization_compliance(organization=world.org)
    with translation.override("zh-hans"):
        body = compliance_pdf(
            organization=world.org, rows=report["rules"], report=report, on=datetime.date.today()
        )
    assert body.startswith(b"%PDF-") and b"STSong-Light" in body


def test_exports_answer_every_role_and_outsiders_get_404(world, panel_as):
    for name in ("panel:gov_compliance_csv", "panel:gov_compliance_pdf"):
        url = reverse(name, kwargs={"org_slug": "acme"})
        for role in ("owner", "dpo", "operator", "auditor"):
            assert panel_as(world.user(role)).get(url).status_code == 200, (name, role)
        assert panel_as(world.outsider).get(url).status_code == 404
    assert panel_as(world.auditor).get("/o/acme/compliance/export.xlsx").status_code == 404


def test_api_lists_every_rule_with_state_and_summary(world, api_as):
    DeploymentFactory(organization=world.org, place_type="public_toilet")
    body = api_as(world.auditor).get("/api/v1/compliance/").json()
    rules = {r["rule"]: r for r in body["rules"]}
    assert set(rules) == {f"R{n}" for n in range(1, 55)}
    assert rules["R7"]["state"] == "unmet" and rules["R7"]["fix_url"]
    assert rules["R41"]["status"] == "D" and rules["R53"]["status"] == "context"
    assert rules["R6"]["state"] == "not_applicable" and rules["R6"]["fix_url"] == ""
    assert body["filing_warnings"] == []


def _checks_without(monkeypatch, *rules, extra=()):
    """Make the gates judge without ``rules`` (and with ``extra`` checks) for every deployment."""
    from governance import compliance as module

    original = module.deployment_checks

    def checks(deployment):
        kept = [c for c in original(deployment) if c.rule not in rules]
        return kept + [c for c in extra if c.rule not in {k.rule for k in kept}]

    monkeypatch.setattr(module, "deployment_checks", checks)


def test_jurisdiction_rules_fall_back_honestly_until_the_deployments_judge_them(world, monkeypatch):
    _checks_without(monkeypatch, "R17", "R18", "R23")
    DeploymentFactory(organization=world.org, jurisdiction="US-IL", name="Chicago store")
    rows = _rows(world.org)
    assert rows["R17"].result.state == State.NOT_APPLICABLE
    for rule in ("R18", "R23"):
        assert rows[rule].result.state == State.UNMET, rule
        assert "Chicago store" in rows[rule].result.message


def test_jurisdiction_rules_take_the_deployments_own_checks_once_they_exist(world, monkeypatch):
    from governance.gates import RuleCheck

    _checks_without(
        monkeypatch, "R18", extra=[RuleCheck("R18", True, "A signed written release is asked.")]
    )
    DeploymentFactory(organization=world.org, jurisdiction="US-IL")
    row = _rows(world.org)["R18"]
    assert row.result.state == State.MET
    assert row.result.message == "A signed written release is asked."


def test_r50_is_unmet_while_a_request_is_overdue(world, monkeypatch):
    from dsr import compliance as dsr_compliance

    monkeypatch.setattr(
        dsr_compliance,
        "dsr_figures",
        lambda **kw: {"dsr_open": 3, "dsr_due_soon": 1, "dsr_overdue": 2},
    )
    row = _rows(world.org)["R50"]
    assert row.result.state == State.UNMET
    assert "2 request(s) are past their deadline" in row.result.message
    assert row.result.fix_url.startswith("/o/acme/")
