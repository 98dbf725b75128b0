"""The panel's one way to show a service's refusal: the message, each rule and its fix hint."""

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
