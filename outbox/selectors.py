"""Reads about recorded events: where a reaction stands."""

from outbox.models import OutboxEvent


def events_about(*, topic_prefix: str, organization_id: int, key: str, value):
    """Return the events of topics starting with ``topic_prefix`` whose payload has key=value."""
    return OutboxEvent.objects.filter(
        organization_id=organization_id,
        topic__startswith=topic_prefix,
        **{f"payload__{key}": value},
    ).order_by("-pk")
