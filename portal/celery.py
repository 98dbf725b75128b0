"""The Celery application. Tasks are thin adapters that take ids and call services."""

import os
import warnings

from celery import Celery
from celery.exceptions import SecurityWarning

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


@app.task(name="portal.ping", acks_late=True)
def ping(value: str) -> str:
    """Echo a value: used by /healthz-style checks and the worker test."""
    return f"pong:{value}"
