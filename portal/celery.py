"""The Celery application. Tasks are thin adapters that take ids and call services."""

import os
import warnings

from celery import Celery
from celery.exceptions import SecurityWarning
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
if os.environ.get("PORTAL_MODE") == "demo":
    # The demo runs as whoever starts it, root in many containers; it accepts JSON only (root
    # with pickle is refused outright) and listens on 127.0.0.1. Production runs workers as
    # their own user (docs/deploy.md) and keeps the warning.
    warnings.filterwarnings(
        "ignore", message="You're running the worker with superuser", category=SecurityWarning
    )

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def route_task(name, args, kwargs, options, task=None, **kw):
    """Return the queue of one gallery shard's search, or None for the default queue.

    A worker process keeps every shard it has searched in memory. With RECOGNITION_SHARD_QUEUES
    on, shard n's searches go to the queue ``<default queue>.shard<n>``, so a machine that
    listens to its own shards' queues holds only those (docs/deploy.md). Every other task, and
    every search when it is off, stays on the default queue.
    """
    if name != "recognition.search_shard" or not settings.RECOGNITION_SHARD_QUEUES:
        return None
    shard = kwargs["shard"] if "shard" in kwargs else args[2]
    return {"queue": f"{app.conf.task_default_queue}.shard{shard}"}


@app.task(name="portal.ping", acks_late=True)
def ping(value: str) -> str:
    """Echo a value: used by /healthz-style checks and the worker test."""
    return f"pong:{value}"
