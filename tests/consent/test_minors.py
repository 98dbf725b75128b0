"""R15: under 14 on the consent date, only a guardian consents, after the rules are published."""

import datetime

import pytest
import time_machine

from consent.models import Consent, ConsentEvent
from consent.services import Guardian
from tenants.errors import ApplicationError, RuleViolation
from tests.factories import MinorDataRulesFactory, SubjectFactory

pytestmark = pytest.mark.django_db

GUARDIAN = Guardian(
    name="Wang Fang",
    relationship="mother",
    verification="resident ID card checked at the desk",
    evidence="desk log 2026-118",
)
TODAY = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def child(cw):
    return SubjectFactory(
        organization=cw.org, date_of_birth=datetime.date(2015, 3, 3), age_bracket="under_14"
    )


def _unchanged():
    return Consent.objects.count(), ConsentEvent.objects.count()


@time_machine.travel(TODAY)
def test_r15_minor_without_guardian_is_refused_and_changes_nothing(cw, child):
    MinorDataRulesFactory(organization=cw.org)
    before = _unchanged()
    with pytest.raises(RuleViolation, match="only a parent or guardian"):
        cw.grant(subject=child, kind="separate")
    with pytest.raises(ApplicationError, match="guardian's name") as exc:
        cw.grant(subject=child, kind="guardian")
    assert exc.value.code == "guardian_missing"
    assert _unchanged() == before


@time_machine.travel(TODAY)
def test_r15_guardian_consent_needs_the_published_rules_for_minors(cw, child):
    with pytest.raises(RuleViolation, match="rules for minors"):
        cw.grant(subject=child, kind="guardian", guardian=GUARDIAN)
    assert Consent.objects.count() == 0


@time_machine.travel(TODAY)
def test_r15_guardian_consent_with_rules_is_recorded_with_the_guardian(cw, child):
    rules = MinorDataRulesFactory(organization=cw.org)
    consent, receipt = cw.grant(subject=child, kind="guardian", guardian=GUARDIAN)
    assert consent.is_minor_under_14 and consent.minor_rules == rules
    assert consent.guardian_relationship == "mother"
    assert consent.guardian_verification.startswith("resident ID")
    assert '"isMinorUnder14":true' in receipt.body
    # The receipt carries how the guardian was checked, never their name.
    assert "Wang Fang" not in receipt.body


def test_r15_age_is_computed_from_the_date_of_birth_on_the_consent_date(cw):
    subject = SubjectFactory(organization=cw.org, date_of_birth=datetime.date(2012, 6, 2))
    day_before = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)
    with time_machine.travel(day_before), pytest.raises(RuleViolation, match="under 14"):
        cw.grant(subject=subject)
    with time_machine.travel(datetime.datetime(2026, 6, 2, 12, tzinfo=datetime.UTC)):
        consent, _ = cw.grant(subject=subject)
    assert not consent.is_minor_under_14


def test_r15_without_date_of_birth_or_bracket_no_consent_is_taken(cw):
    subject = SubjectFactory(organization=cw.org, date_of_birth=None, age_bracket="unknown")
    with pytest.raises(ApplicationError, match="date of birth or age bracket"):
        cw.grant(subject=subject)
    assert Consent.objects.count() == 0


def test_r15_subjects_turning_14_are_flagged_once_by_the_job(cw):
    from consent.tasks import flag_turning_14

    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)):
        child = SubjectFactory(organization=cw.org, date_of_birth=datetime.date(2012, 3, 3))
        assert child.age_bracket == "18_plus"  # the factory's value; services set it
        child.age_bracket = "under_14"
        child.save()
        assert flag_turning_14() == 0
    with time_machine.travel(datetime.datetime(2026, 3, 3, 12, tzinfo=datetime.UTC)):
        assert flag_turning_14() == 1
        assert flag_turning_14() == 0
    child.refresh_from_db()
    assert child.turned_14_at == datetime.date(2026, 3, 3)
    assert child.age_bracket == "14_17"


def test_r15_minor_cannot_consent_on_the_public_page(cw, client):
    response = client.post(
        f"/notice/acme/p/{cw.purpose.pk}/",
        {
            "action": "accept",
            "p-display_name": "Kid",
            "p-email": "kid@example.test",
            "p-date_of_birth": "2020-01-01",
            "i-central_storage": "no",
        },
    )
    assert response.status_code == 400
    assert "parent or guardian" in response.content.decode()
    assert Consent.objects.count() == 0
