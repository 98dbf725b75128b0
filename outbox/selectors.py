"""Reads about recorded events: where a reaction stands."""

from outbox.models import OutboxEvent


def event_latest_about(*, topic: str, organization_id: int, key: str, value) -> OutboxEvent | None:
    """Return the newest event of ``topic`` whose payload has ``key`` equal to ``value``."""
    return (
        OutboxEvent.objects.filter(
            organization_id=organization_id, topic=topic, **{f"payload__{key}": value}
        )
        .order_by("-pk")
        .first()
    )
