"""dsr's reaction to a finished enrollment (outbox topic ``recognition.enrollment_finished``).

Recognition records the event in the enrollment's finishing transaction; this runs after that
commit, in a retried task (dsr.tasks.react_to_enrollment), so a correction request learns its
re-enrollment's outcome just after the enrollment commits rather than on the same commit.
"""

from django.db import transaction

from audit.actors import Actor
from dsr.services.correction import dsr_correction_reenrollment_record
from outbox.services import event_done, event_for_subscriber
from recognition.models import Enrollment

# The task name settings.OUTBOX_SUBSCRIBERS routes "recognition.enrollment_finished" to.
SUBSCRIBER = "dsr.react_to_enrollment"


@transaction.atomic
def enrollment_finished_react(*, event_id: int, organization_id: int) -> bool:
    """Record a finished re-enrollment on its correction request; False when already done.

    The event is locked for the whole reaction and marked done in the same transaction: a
    failure rolls both back (the event stays pending for the retry), a repeat finds it done.
    """
    event = event_for_subscriber(
        event_id=event_id, organization_id=organization_id, subscriber=SUBSCRIBER
    )
    if event is None:
        return False
    enrollment = Enrollment.objects.filter(
        pk=event.payload.get("enrollment_id"), organization_id=organization_id
    ).first()
    # An enrollment erased since (its subject's erasure) has no request left to inform.
    if enrollment is not None:
        dsr_correction_reenrollment_record(
            enrollment=enrollment,
            replaced=event.payload.get("replaced", []),
            actor=Actor.from_payload(event.payload.get("actor")),
        )
    event_done(event=event, subscriber=SUBSCRIBER)
    return True
