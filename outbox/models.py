"""Domain events written in the transaction of the change they announce (transactional outbox)."""

from django.db import models
from django.db.models import Q


class OutboxEvent(models.Model):
    """One domain event and the delivery state of its subscribers.

    The row commits with the change it announces, so a broker outage or a crash between the
    commit and the enqueue loses nothing: the beat task re-dispatches every event not done.
    The payload holds ids only; a subscriber re-reads the current state.
    """

    topic = models.CharField(max_length=80)
    organization_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last time the subscribers' tasks were handed to the broker (None: never reached it).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When the beat task may hand it over again (backoff grows with the attempts).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The subscriber task names that finished their reaction; done_at once all of them did.
    done_by = models.JSONField(default=list)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            # events_redispatch_due: undone events whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(done_at__isnull=True),
                name="outbox_event_undone_due",
            ),
            # Status lookups: the latest event of a topic about one organization.
            models.Index(fields=["organization_id", "topic"], name="outbox_event_org_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk} ({'done' if self.done_at else 'pending'})"
