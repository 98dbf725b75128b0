"""Deadlines per jurisdiction profile and the job that flags them (R50)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from audit.actors import Actor
from dsr.models import DataRequest
from dsr.selectors import dsr_figures
from dsr.services.deadlines import (
    add_months,
    dsr_deadlines_flag,
    dsr_settings_update,
    extended_deadline,
    first_deadline,
)
from dsr.services.workflow import dsr_request_extend
from tests.factories import DataRequestFactory, SubjectFactory

DPO = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")
UTC = dt.UTC


def test_add_months_keeps_calendar_sense():
    assert add_months(dt.datetime(2026, 1, 31, tzinfo=UTC), 1) == dt.datetime(
        2026, 2, 28, tzinfo=UTC
    )
    assert add_months(dt.datetime(2026, 11, 15, tzinfo=UTC), 2) == dt.datetime(
        2027, 1, 15, tzinfo=UTC
    )


def test_eu_one_month_extendable_by_two(world):
    world.org.jurisdiction = "EU"
    world.org.save()
    received = dt.datetime(2026, 3, 31, 9, tzinfo=UTC)
    first = first_deadline(organization=world.org, received_at=received)
    assert first == dt.datetime(2026, 4, 30, 9, tzinfo=UTC)
    assert extended_deadline(organization=world.org, first_due_at=first) == dt.datetime(
        2026, 6, 30, 9, tzinfo=UTC
    )


@pytest.mark.parametrize("jurisdiction", ["CN", "US-IL"])
def test_cn_and_illinois_default_30_days_and_configurable(world, jurisdiction):
    world.org.jurisdiction = jurisdiction
    world.org.save()
    received = dt.datetime(2026, 3, 1, tzinfo=UTC)
    assert first_deadline(organization=world.org, received_at=received) == received + dt.timedelta(
        days=30
    )
    dsr_settings_update(organization=world.org, actor=DPO, response_days=15, extension_days=10)
    first = first_deadline(organization=world.org, received_at=received)
    assert first == received + dt.timedelta(days=15)
    assert extended_deadline(organization=world.org, first_due_at=first) == first + dt.timedelta(
        days=10
    )


def test_eu_extension_is_two_months_from_the_first_deadline(dw):
    dw.org.jurisdiction = "EU"
    dw.org.save()
    # The site the person's consent covers decides the law (R50), not only the profile.
    type(dw.deployment).objects.filter(pk=dw.deployment.pk).update(jurisdiction="EU")
    request = dw.file("access")
    request.refresh_from_db()
    request = dsr_request_extend(data_request=request, actor=DPO, reason="Complex request")
    assert request.due_at == add_months(request.first_due_at, 2)


def test_job_flags_due_soon_and_overdue_once_and_mails_dpos(
    world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    subject = SubjectFactory(organization=world.org)
    soon = DataRequestFactory(subject=subject, due_at=now + dt.timedelta(days=2))
    late = DataRequestFactory(subject=subject, kind="erasure", due_at=now - dt.timedelta(hours=1))
    calm = DataRequestFactory(
        subject=subject, kind="restriction", due_at=now + dt.timedelta(days=20)
    )
    DataRequestFactory(subject=subject, kind="objection", status="completed", due_at=now)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert dsr_deadlines_flag(now=now) == {"due_soon": 1, "overdue": 1}
    for row, flag in ((soon, "due_soon"), (late, "overdue"), (calm, "")):
        row.refresh_from_db()
        assert row.deadline_flag == flag
    (message,) = mail.outbox
    assert set(message.to) == {"dpo@acme.test", "owner@acme.test"}
    assert f"#{late.pk}" in message.body and f"#{soon.pk}" in message.body
    # A China-profile organization reads its alerts in Chinese first, then English.
    assert message.body.index(f"请求 #{late.pk}") < message.body.index(f"Request #{late.pk}")
    # Run again: nothing new, no second mail.
    with django_capture_on_commit_callbacks(execute=True):
        assert dsr_deadlines_flag(now=now) == {"due_soon": 0, "overdue": 0}
    assert len(mail.outbox) == 1
    assert dsr_figures(organization=world.org, now=now) == {
        "dsr_open": 3,
        "dsr_due_soon": 1,
        "dsr_overdue": 1,
    }


def test_beat_schedule_runs_the_deadline_job(settings):
    from dsr.tasks import flag_deadlines

    assert settings.CELERY_BEAT_SCHEDULE["dsr-flag-deadlines"]["task"] == flag_deadlines.name
    assert DataRequest.DeadlineFlag.OVERDUE == "overdue"
