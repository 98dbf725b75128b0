"""R51: a return package nobody collected is deleted after its keeping time (the daily beat)."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from dsr.models import TerminationRun
from dsr.services.termination_package import termination_package_delete
from dsr.tasks import expire_termination_packages
from governance.rulebook import State
from portal.settings_celery import beat_schedule
from tests.dsr.test_r51_termination import OWNER, _contract, _r51, _start, _world

# Transactional: files are unlinked when each subject's erasure commits.
pytestmark = pytest.mark.django_db(transaction=True)
KEEP_DAYS = 30


@pytest.fixture(autouse=True)
def _reactions_inline(eager, settings):
    """The run and its reactions run in the commit callbacks, as on a worker."""
    settings.DSR_TERMINATION_PACKAGE_KEEP_DAYS = KEEP_DAYS


def _finished_return_run(dw, capture) -> TerminationRun:
    _contract(dw.org, "return")
    _world(dw)
    run = _start(dw.org, capture)
    run.refresh_from_db()
    assert run.package and run.package_deleted_at is None
    assert run.report["passed"] is True, [r for r in run.report["tables"] if not r["ok"]]
    return run


def _age(run, days):
    TerminationRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=days)
    )
    run.refresh_from_db()


def test_r51_uncollected_package_is_deleted_after_its_keeping_time(
    dw, django_capture_on_commit_callbacks
):
    run = _finished_return_run(dw, django_capture_on_commit_callbacks)
    storage = TerminationRun._meta.get_field("package").storage
    name = run.package.name
    assert run.package_expires_at == run.finished_at + datetime.timedelta(days=KEEP_DAYS)

    _age(run, KEEP_DAYS - 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_termination_packages.delay().get() == 0
    run.refresh_from_db()
    assert run.package and storage.exists(name)

    _age(run, KEEP_DAYS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_termination_packages.delay().get() == 1
    run.refresh_from_db()
    assert not run.package and run.package_deleted_at is not None
    assert run.package_expires_at is None
    assert not storage.exists(name)
    event = AuditEvent.objects.get(action="termination.package_expired")
    assert event.actor_type == "system" and event.details["sha256"] == run.package_sha256
    # The portal holds no copy any more: R51 is met without anyone confirming receipt.
    result = _r51(dw.org)
    assert result.state == State.MET, result.message

    # A second sweep finds nothing; a confirmation afterwards says there is no package.
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_termination_packages.delay().get() == 0
    assert AuditEvent.objects.filter(action="termination.package_expired").count() == 1


def test_r51_a_confirmed_package_is_not_expired_again(dw, django_capture_on_commit_callbacks):
    run = _finished_return_run(dw, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        termination_package_delete(run=run, actor=OWNER)
    _age(run, KEEP_DAYS + 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert expire_termination_packages.delay().get() == 0
    assert not AuditEvent.objects.filter(action="termination.package_expired").exists()


def test_r51_package_expiry_is_on_the_beat_and_shown_to_the_api(
    dw, django_capture_on_commit_callbacks, api_key_client
):
    schedule = beat_schedule(audit_seal_interval=5, audit_checkpoint_interval=5, reclaim_interval=5)
    assert schedule["dsr-expire-termination-packages"]["task"] == "dsr.expire_termination_packages"
    run = _finished_return_run(dw, django_capture_on_commit_callbacks)

    body = api_key_client(dw.org).get("/api/v1/termination-run/").json()
    expected = run.package_expires_at
    assert datetime.datetime.fromisoformat(body["package_expires_at"]) == expected
