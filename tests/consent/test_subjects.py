"""Subjects: pseudonyms, the alternative (R3, R14), erasure that keeps history (R16)."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from consent.models import ConsentEvent, Subject
from consent.selectors import subject_for_org
from consent.services import (
    consent_decline,
    consent_withdraw,
    subject_create,
    subject_erase,
    subject_record_choice,
    subject_update,
)
from tenants.errors import Conflict

pytestmark = pytest.mark.django_db


def test_subject_gets_a_pseudonym_and_creation_is_audited_without_values(cw):
    subject = subject_create(
        organization=cw.org,
        actor=cw.actor,
        display_name="Li Lei",
        email="LiLei@Example.test",
        date_of_birth=datetime.date(2000, 1, 1),
    )
    assert subject.pseudonym and subject.email == "lilei@example.test"
    assert subject.age_bracket == "18_plus"
    event = AuditEvent.objects.get(action="subject.created")
    assert event.subject_pseudonym == str(subject.pseudonym)
    assert "Li Lei" not in str(event.details)


def test_external_reference_is_unique_per_organization(cw):
    subject_create(organization=cw.org, actor=cw.actor, external_ref="E-1")
    with pytest.raises(Conflict, match="external reference"):
        subject_create(organization=cw.org, actor=cw.actor, external_ref="E-1")


def test_subject_for_org_never_returns_another_organizations_subject(cw, other_cw):
    _purpose, _notice, outsider = other_cw
    assert subject_for_org(organization=cw.org, pseudonym=outsider.pseudonym) is None
    assert subject_for_org(organization=cw.org, pseudonym="not-a-uuid") is None
    assert subject_for_org(organization=cw.org, pseudonym=cw.subject.pseudonym) == cw.subject


def test_r3_subject_may_choose_the_non_biometric_alternative(cw):
    subject_record_choice(subject=cw.subject, actor=cw.actor, choice="alternative")
    cw.subject.refresh_from_db()
    assert cw.subject.choice == "alternative"
    assert AuditEvent.objects.filter(action="subject.choice_recorded").exists()


def test_r4_r14_decline_is_logged_and_routes_to_the_alternative(cw):
    consent_decline(
        organization=cw.org,
        purpose_version=cw.version,
        actor=cw.actor,
        channel="kiosk",
        subject=cw.subject,
    )
    cw.subject.refresh_from_db()
    assert cw.subject.choice == "alternative"
    declined = AuditEvent.objects.get(action="consent.declined")
    assert declined.subject_pseudonym == str(cw.subject.pseudonym)


def test_r16_erasure_keeps_consent_history_reduced_to_the_pseudonym(cw):
    consent, _ = cw.grant()
    consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    pseudonym = cw.subject.pseudonym
    subject_erase(subject=cw.subject, actor=cw.actor)
    subject = Subject.objects.get(pk=cw.subject.pk)
    assert subject.is_erased and subject.pseudonym == pseudonym
    assert (subject.display_name, subject.email, subject.date_of_birth) == ("", "", None)
    consent.refresh_from_db()
    assert consent.subject_pseudonym == pseudonym and consent.ip is None
    events = list(ConsentEvent.objects.filter(consent=consent))
    assert [e.type for e in events] == ["given", "withdrawn"]
    assert all(e.subject_pseudonym == pseudonym for e in events)
    # R16: kept at least three years after the last event.
    assert events[-1].retain_until >= events[-1].at + datetime.timedelta(days=3 * 365)
    assert consent.retain_until == events[-1].retain_until


def test_r16_subject_with_an_active_consent_is_not_erased(cw):
    cw.grant()
    with pytest.raises(Conflict, match="Withdraw"):
        subject_erase(subject=cw.subject, actor=cw.actor)
    cw.subject.refresh_from_db()
    assert not cw.subject.is_erased


def test_r16_consent_events_are_append_only_in_the_database(cw):
    consent, _ = cw.grant()
    event = consent.events.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).update(type="withdrawn")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM consent_consentevent WHERE id = %s", [event.pk])
    assert ConsentEvent.objects.get(pk=event.pk).type == "given"


def test_erased_subject_cannot_be_updated(cw):
    subject_erase(subject=cw.subject, actor=cw.actor)
    with pytest.raises(Conflict, match="erased"):
        subject_update(subject=cw.subject, actor=cw.actor, display_name="Back")
