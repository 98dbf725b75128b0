"""Leases on jobs and enrollments: one worker at a time, renewed while it works.

A worker takes the lease under the row's lock (``work_lease_take``) before it works on a job or
an enrollment, and a heartbeat thread renews it every third of its length while the work runs
(``work_lease_heartbeat``). Tasks are acknowledged late, so the broker hands a message out again
when the worker dies (a prefork child at once, a lost machine after the visibility timeout) and
also when a long job outlives the visibility timeout: that second delivery finds the lease alive
and does nothing. A dead worker stops renewing; its lease runs out at most
RECOGNITION_JOB_LEASE_SECONDS after it died and the periodic reclaim
(``dispatch.work_reclaim_expired``) hands the work out again (docs/reliability.md).
"""

import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)


def lease_length() -> timedelta:
    """Return how long a worker's hold on a job or an enrollment lasts without renewal."""
    return timedelta(seconds=int(getattr(settings, "RECOGNITION_JOB_LEASE_SECONDS", 45)))


def worker_name() -> str:
    """Return this process's name in a lease ("host:pid"; the solo pool's worker itself)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def work_lease_take(*, work, worker: str) -> bool:
    """Take (or renew) the lease on ``work``, a RecognitionJob or an Enrollment, for ``worker``.

    Return False when the work is gone or finished, or while another worker's lease is alive.
    Taking it from another holder (or from nobody) counts one attempt. The row is locked while
    deciding, so of two deliveries racing for the same work exactly one takes it.
    """
    model = type(work)
    now = timezone.now()
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=work.pk).first()
        if row is None or row.is_finished:
            return False
        if row.worker and row.worker != worker and row.lease_until and row.lease_until > now:
            return False
        model.objects.filter(pk=row.pk).update(
            worker=worker,
            lease_until=now + lease_length(),
            status=model.Status.RUNNING,
            attempts=F("attempts") + (0 if row.worker == worker else 1),
            started_at=row.started_at or now,
        )
    return True


def work_lease_held(*, work, worker: str) -> bool:
    """Return True while ``worker`` still holds the lease on ``work``.

    A worker stalled past its lease (a long engine call on a starved machine) may find that
    another took the work over; it then stops at its next step and leaves it to that one.
    """
    return type(work).objects.filter(pk=work.pk, worker=worker).exists()


def work_lease_hand_back(*, work, worker: str, seconds: float) -> None:
    """Give up ``worker``'s lease: any worker may take the work now, the reclaim after ``seconds``.

    For a task that retries after a passing failure: its retry may land on another worker, which
    must not wait out this one's lease; if the retry is lost, the reclaim hands the work out.
    """
    type(work).objects.filter(pk=work.pk, worker=worker).update(
        worker="", lease_until=timezone.now() + timedelta(seconds=seconds)
    )


@contextmanager
def work_lease_heartbeat(*, work, worker: str):
    """Renew ``worker``'s lease on ``work`` every third of its length while the block runs.

    A thread with its own database connection, so a long engine call or gallery search (which
    holds the task's thread) still renews it. A lease taken over meanwhile is left alone.
    """
    model, pk = type(work), work.pk
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(lease_length().total_seconds() / 3):
                try:
                    model.objects.filter(pk=pk, worker=worker, status=model.Status.RUNNING).update(
                        lease_until=timezone.now() + lease_length()
                    )
                except DatabaseError:
                    # The next beat tries again; a lease that runs out is reclaimed, not lost.
                    logger.warning("lease of %s %s not renewed", model.__name__, pk, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"lease-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
