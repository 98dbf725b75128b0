"""The template-purge backlog: deletions owed after a change that has committed.

A withdrawal, an expiry, an erasure or a move to on-device storage commits at once and leaves
an outbox event for recognition to delete what is no longer allowed (R13, R19, R22). Until the
event is done the deletion is owed: the dashboard lists it and /metrics exports it.
"""

from outbox.models import OutboxEvent

PURGE_TOPICS = (
    "consent.withdrawn",
    "consent.expired",
    "consent.erased",
    "governance.storage_on_device",
)


def purge_backlog(*, organization_id: int | None = None):
    """Return the undone purge events, of one organization or of all when None."""
    events = OutboxEvent.objects.filter(topic__in=PURGE_TOPICS, done_at__isnull=True)
    if organization_id is not None:
        events = events.filter(organization_id=organization_id)
    return events
