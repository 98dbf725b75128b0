"""Background work runs on a real Celery worker over the configured broker (Redis in CI)."""

import time

import pytest

from audit.actors import Actor
from audit.models import AuditPending, AuditSeal
from audit.services.recording import EventSpec, _build
from audit.tasks import seal_pending

pytestmark = pytest.mark.worker


def _wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_real_worker_seals_pending_audit_events_over_the_broker(world, live_worker):
    # Written without the after-commit sealing, so only the worker can seal them.
    events = []
    for i in range(5):
        event = _build(world.org.pk, Actor.system(), EventSpec("worker.test", details={"i": i}))
        event.save()
        AuditPending.objects.create(event=event, organization_id_copy=world.org.pk)
        events.append(event)
    seal_pending.delay()
    assert _wait_for(lambda: AuditSeal.objects.filter(event__in=events).count() == 5), (
        "the worker did not seal the events"
    )
    assert not AuditPending.objects.filter(event__in=events).exists()
