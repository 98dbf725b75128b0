"""The Celery application. Tasks are thin adapters that take ids and call services."""

import inspect
import os
import warnings

from celery import Celery
from celery.exceptions import SecurityWarning
from celery.signals import task_postrun, task_prerun
from django.conf import settings

from tenants.rls import rls_restore, rls_scope

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


# Parameter names under which a task receives the organization it acts for (STYLE.md: every
# task carries it explicitly).
_ORG_PARAMETERS = ("organization_id", "org_id")
_rls_previous: dict[str, str] = {}


def task_organization(task, args, kwargs) -> int | None:
    """Return the organization id a task call carries, or None (a platform-wide task)."""
    for name in _ORG_PARAMETERS:
        if kwargs and kwargs.get(name) is not None:
            return int(kwargs[name])
    try:
        bound = inspect.signature(task.run).bind_partial(*(args or ()), **(kwargs or {}))
    except TypeError:
        return None
    for name in _ORG_PARAMETERS:
        if bound.arguments.get(name) is not None:
            return int(bound.arguments[name])
    return None


@task_prerun.connect(dispatch_uid="portal.rls.prerun")
def _rls_task_start(task_id=None, task=None, args=None, kwargs=None, **extra):
    """Row-level security (tenants/rls.py): a task for one organization sees only its rows."""
    organization_id = task_organization(task, args, kwargs)
    if organization_id is not None:
        _rls_previous[task_id] = rls_scope(organization_id)


@task_postrun.connect(dispatch_uid="portal.rls.postrun")
def _rls_task_end(task_id=None, **extra):
    previous = _rls_previous.pop(task_id, None)
    if previous is not None:
        rls_restore(previous)


@app.task(name="portal.ping", acks_late=True)
def ping(value: str) -> str:
    """Echo a value: used by /healthz-style checks and the worker test."""
    return f"pong:{value}"
