"""The outbox event an enrollment's outcome records for the apps above recognition.

Recognition never imports them (layering): a higher app that must act on an outcome (dsr: a
correction request notes its re-enrollment, PIPL Art. 46) subscribes a task to the topic in
settings.OUTBOX_SUBSCRIBERS and reacts after the commit, retried until done.
"""

from audit.actors import Actor
from outbox.services import event_record
from recognition.models import Enrollment

TOPIC_ENROLLMENT_FINISHED = "recognition.enrollment_finished"


def enrollment_finished_record(
    *, enrollment: Enrollment, replaced: list[str], actor: Actor
) -> None:
    """Record that ``enrollment`` finished (succeeded or failed), in its finishing transaction.

    ``replaced``: public ids of the templates deleted in the same transaction (a re-enrollment).
    Ids only: the subscriber re-reads the enrollment, so the event says nothing it could not.
    """
    event_record(
        topic=TOPIC_ENROLLMENT_FINISHED,
        organization_id=enrollment.organization_id,
        payload={
            "enrollment_id": enrollment.pk,
            "replaced": list(replaced),
            "actor": actor.as_payload(),
        },
    )
