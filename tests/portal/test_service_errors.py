"""The panel's one way to show a service's refusal: the message, each rule and its fix hint."""

import re
from pathlib import Path

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from portal.panel.access import apply_service, error_lines, run_action
from tenants.errors import ApplicationError, RuleViolation

R15 = RuleViolation(
    "The subject is under 14: only a parent or guardian may consent (R15).",
    details=[{"rule": "R15", "fix": "Record a guardian consent."}],
)


def _refuse(exc):
    def call():
        raise exc

    return call


def test_r15_rule_details_and_fix_hint_reach_the_form():
    form = forms.Form(data={})
    assert form.is_valid()
    assert apply_service(form, _refuse(R15)) is None
    assert form.non_field_errors() == [
        "The subject is under 14: only a parent or guardian may consent (R15).",
        "R15: Record a guardian consent.",
    ]


def test_a_rule_with_message_and_fix_is_one_line():
    exc = RuleViolation(
        "Not yet.", details=[{"rule": "R27", "message": "Assessment stale.", "fix": "Renew it."}]
    )
    assert error_lines(exc) == ["Not yet.", "R27: Assessment stale. (fix: Renew it.)"]


def test_a_button_shows_the_same_lines_as_messages():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    assert run_action(request, _refuse(R15)) is False
    assert [str(m) for m in get_messages(request)] == error_lines(R15)
    assert error_lines(ApplicationError("Plain.", code="plain")) == ["Plain."]


def test_no_panel_page_shows_a_refusal_by_its_message_alone():
    # The message alone drops the rules and their fix hints (R15's guardian hint was lost so).
    panel = Path(__file__).resolve().parents[2] / "portal" / "panel"
    alone = re.compile(r"(messages\.error\(request|add_error\(None), exc\.message\)")
    found = [
        f"{path.relative_to(panel)}:{number}"
        for path in panel.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if alone.search(line)
    ]
    assert found == []
