"""The Celery application. Tasks are thin adapters that take ids and call services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="portal.ping", acks_late=True)
def ping(value: str) -> str:
    """Echo a value: used by /healthz-style checks and the worker test."""
    return f"pong:{value}"
