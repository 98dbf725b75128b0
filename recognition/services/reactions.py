"""Recognition's one reaction to a consent change (issue 14): the outbox event's subscriber.

Every consent transition records one outbox event in its own transaction (consent.services.
history); after the commit this service brings the subject's face data in line with what their
consents now allow: purge what no consent still needs (PIPL Art. 47, R13, R22), take kept
templates out of the galleries while no usable consent covers them (restricted, awaiting
re-consent), put them back on a new grant or a restore. It re-reads the current state, so a
repeat, a late redelivery or events handled out of order all end in the same place.
"""

from django.db import transaction

from audit.actors import Actor
from consent.models import Subject
from consent.services.history import TOPIC_ERASED
from governance.models import Deployment
from outbox.services import event_done, event_for_subscriber
from recognition.models import FaceTemplate, RawImage
from recognition.services.templates import (
    DeletionReason,
    raw_images_delete,
    subject_templates_reconcile,
    templates_delete,
)

# The task name settings.OUTBOX_SUBSCRIBERS routes consent topics to.
SUBSCRIBER = "recognition.react_to_consent"

# What a deletion caused by each topic is recorded as (R22); the rest: the consent ended.
_REASONS = {
    "consent.withdrawn": DeletionReason.CONSENT_WITHDRAWN,
    TOPIC_ERASED: DeletionReason.SUBJECT_ERASURE,
}


def _actor(event) -> Actor:
    # The person or system whose change this reacts to, as the purge's author in the audit.
    payload = event.payload
    return Actor(
        kind=payload.get("actor_kind") or Actor.SYSTEM,
        id=payload.get("actor_id", ""),
        label=f"reaction to {event.topic}",
    )


@transaction.atomic
def consent_change_react(*, event_id: int, organization_id: int) -> int | None:
    """React to one consent event; return the templates deleted, None when already done.

    The event row is locked for the whole reaction and marked done in the same transaction:
    a crash half-way rolls everything back, and a second delivery finds it done.
    """
    event = event_for_subscriber(
        event_id=event_id, organization_id=organization_id, subscriber=SUBSCRIBER
    )
    if event is None:
        return None
    subject = Subject.objects.filter(
        pk=event.payload.get("subject_id"), organization_id=organization_id
    ).first()
    deleted = 0
    if subject is not None:
        deleted = subject_templates_reconcile(
            subject=subject,
            actor=_actor(event),
            reason=_REASONS.get(event.topic, DeletionReason.CONSENT_ENDED),
            # PIPL Art. 47: an erased subject keeps no face data, whatever their consents say.
            everything=event.topic == TOPIC_ERASED,
        )
    event_done(event=event, subscriber=SUBSCRIBER)
    return deleted


# The task name settings.OUTBOX_SUBSCRIBERS routes "governance.storage_on_device" to.
STORAGE_SUBSCRIBER = "recognition.react_to_storage_on_device"


@transaction.atomic
def deployment_storage_react(*, event_id: int, organization_id: int) -> int | None:
    """Purge the central templates of a deployment switched to on-device storage (R19).

    FRM Art. 8: an on-device deployment holds no central template, whatever consents allow, so
    the switch deletes them (and the raw images of the same enrollments) through the one purge
    path. Re-reads the deployment: when it stores centrally again by the time this runs, there
    is nothing to purge. Return the templates deleted, None when the event was already done.
    """
    event = event_for_subscriber(
        event_id=event_id, organization_id=organization_id, subscriber=STORAGE_SUBSCRIBER
    )
    if event is None:
        return None
    deployment = Deployment.objects.filter(
        pk=event.payload.get("deployment_id"), organization_id=organization_id
    ).first()
    deleted = 0
    if deployment is not None and deployment.storage_mode == Deployment.StorageMode.ON_DEVICE:
        templates = list(FaceTemplate.objects.filter(deployment=deployment))
        actor = _actor(event)
        deleted = templates_delete(
            templates=templates, actor=actor, reason=DeletionReason.STORAGE_ON_DEVICE
        )
        raw_images_delete(
            images=RawImage.objects.filter(enrollment__deployment=deployment),
            actor=actor,
            reason=DeletionReason.STORAGE_ON_DEVICE,
        )
    event_done(event=event, subscriber=STORAGE_SUBSCRIBER)
    return deleted
