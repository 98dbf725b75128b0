"""Every rule of the regulations is shown in the compliance view (issue 17).

docs/regulations.md is the regulations table copied into the repository (the project reads
nothing outside itself). Its rows give each rule's ID and status: C and S rules are enforced,
D and U rules and R53 (penalties, "risk context ... not a feature") are context.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from governance.rulebook import RULES
from tests.factories import DeploymentFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db

REGULATIONS = Path(__file__).resolve().parents[2] / "docs" / "regulations.md"
ROW = re.compile(r"^\|\s*(R\d+)\s*\|")


def regulation_rules() -> dict[str, str]:
    """Return {rule ID: "C" | "S" | "D" | "U" | "context"} from docs/regulations.md's tables.

    The status is the first letter of the last column ("C (PIPL); S (FRM ...)" is C); a rule
    whose feature column says it is risk context is context whatever its status.
    """
    rules = {}
    for line in REGULATIONS.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if not match:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        status = cells[-1].lstrip("*")[0]
        assert status in "CSDU", (match.group(1), cells[-1])
        rules[match.group(1)] = "context" if cells[-2].startswith("Risk context") else status
    return rules


def enforced_ids() -> list[str]:
    return [rule for rule, status in regulation_rules().items() if status in ("C", "S")]


def test_regulations_copy_lists_54_rules_47_of_them_enforced():
    rules = regulation_rules()
    assert list(rules) == [f"R{n}" for n in range(1, 55)]
    assert len(enforced_ids()) == 47
    assert {r for r, s in rules.items() if s not in ("C", "S")} == {
        "R21", "R40", "R41", "R42", "R44", "R48", "R53",
    }  # fmt: skip


def test_the_view_classifies_each_rule_as_the_regulations_do():
    assert {rule.id: rule.status for rule in RULES} == regulation_rules()


def test_every_rule_appears_in_the_rendered_compliance_view(world, panel_as):
    make_ready(world.org)
    DeploymentFactory(organization=world.org, place_type="public_place", name="Station")
    page = (
        panel_as(world.auditor)
        .get(reverse("panel:gov_compliance", kwargs={"org_slug": "acme"}))
        .content.decode()
    )
    enforced_part, context_part = page.split('id="rules"', 1)[1].split('id="context"', 1)
    context_part = context_part.split("</section>", 1)[0]
    for rule, status in regulation_rules().items():
        where = enforced_part if status in ("C", "S") else context_part
        assert f'id="rule-{rule}"' in where, (rule, status)


TESTS = Path(__file__).resolve().parents[1]
RULE_IN_NAME = re.compile(r"(?:^|_)[rR](\d+)(?=_|$)")


def rules_named_by_tests() -> dict[str, list[str]]:
    """Return {rule ID: [test names]} from every test function under tests/ (read with ast)."""
    import ast

    named: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                for number in RULE_IN_NAME.findall(node.name):
                    named.setdefault(f"R{int(number)}", []).append(node.name)
    return named


def test_the_name_pattern_reads_rule_ids_only_between_separators():
    assert RULE_IN_NAME.findall("test_r26_transfer_needs_a_basis") == ["26"]
    assert RULE_IN_NAME.findall("test_R17_r18_both") == ["17", "18"]
    assert RULE_IN_NAME.findall("test_error_r2d2_and_hr26") == []


def test_every_enforced_rule_has_a_test_named_after_it():
    named = rules_named_by_tests()
    missing = [rule for rule in enforced_ids() if rule not in named]
    assert missing == [], f"C/S rules without a test named after them: {missing}"
