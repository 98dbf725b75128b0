import pytest

from audit.actors import Actor
from audit.models import AuditEvent, AuditPending, AuditSeal
from audit.services import audit_record, audit_record_many
from audit.services.recording import EventSpec

pytestmark = pytest.mark.django_db


def test_event_is_sealed_right_after_its_transaction_commits(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = audit_record(
            organization_id=world.org.pk,
            actor=Actor.system("test"),
            action="test.happened",
            details={"n": 1},
        )
    seal = AuditSeal.objects.get(event=event)
    assert seal.seq >= 1
    assert len(seal.hash) == 64
    assert not AuditPending.objects.filter(event=event).exists()


def test_event_stays_pending_until_commit(world):
    event = audit_record(organization_id=world.org.pk, actor=Actor.system(), action="test.pending")
    assert AuditPending.objects.filter(event=event).exists()
    assert not AuditSeal.objects.filter(event=event).exists()


@pytest.mark.parametrize("key", ["template", "image", "secret", "password", "token", "code"])
def test_details_carrying_face_data_or_secrets_are_refused(world, key):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="must not carry face data or secrets"):
        audit_record(
            organization_id=world.org.pk,
            actor=Actor.system(),
            action="test.bad",
            details={"nested": {key: "x"}},
        )
    assert AuditEvent.objects.count() == before


def test_binary_details_are_refused(world):
    with pytest.raises(ValueError, match="binary data"):
        audit_record(
            organization_id=world.org.pk,
            actor=Actor.system(),
            action="test.bad",
            details={"blob": b"\x00\x01"},
        )


def test_bulk_operation_writes_one_event_per_item(world):
    events = audit_record_many(
        organization_id=world.org.pk,
        actor=Actor.system(),
        events=[EventSpec("bulk.item", "thing", str(i)) for i in range(25)],
    )
    assert len(events) == 25
    assert AuditEvent.objects.filter(action="bulk.item").count() == 25
    assert AuditPending.objects.filter(event__in=events).count() == 25


def test_actor_request_id_and_ip_are_recorded(world):
    actor = Actor(Actor.USER, "7", "someone@acme.test", "req-123", "10.1.2.3")
    event = AuditEvent.objects.get(
        pk=audit_record(organization_id=world.org.pk, actor=actor, action="test.who")
    )
    assert (event.actor_type, event.actor_id, event.request_id, event.ip) == (
        "user",
        "7",
        "req-123",
        "10.1.2.3",
    )
