"""The Celery app for recognition's test workers: portal's, with a fast unacked-message restore.

Kombu's Redis transport puts an unacked message back after the visibility timeout, but only
scans for such messages every 10th idle poll by default; the killed-worker test wants it on
every poll. CELERY_VISIBILITY (read by portal.settings) sets the timeout itself.
"""

from portal.celery import app

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_restore_throttle": 1,
    "unacked_restore_interval": 1,
}

__all__ = ["app"]
