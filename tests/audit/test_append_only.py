"""The audit tables refuse change in the database itself (PostgreSQL triggers)."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.actors import Actor
from audit.models import AuditEvent, AuditSeal
from audit.services import audit_record, audit_seal_pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed_event(world):
    event = AuditEvent.objects.get(
        pk=audit_record(organization_id=world.org.pk, actor=Actor.system(), action="t.one")
    )
    audit_seal_pending(organization_id=world.org.pk)
    return event


def _sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_update_on_audit_row_is_refused_by_database(sealed_event):
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [sealed_event.pk])
    sealed_event.refresh_from_db()
    assert sealed_event.action == "t.one"


def test_orm_update_on_audit_row_is_refused(sealed_event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=sealed_event.pk).update(details={"x": 1})


def test_delete_on_audit_row_is_refused_by_database(sealed_event):
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM audit_auditseal WHERE event_id = %s", [sealed_event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM audit_auditevent WHERE id = %s", [sealed_event.pk])
    assert AuditSeal.objects.filter(event=sealed_event).exists()


def test_update_on_seal_is_refused_by_database(sealed_event):
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(
            "UPDATE audit_auditseal SET hash = repeat('0', 64) WHERE event_id = %s",
            [sealed_event.pk],
        )


def test_purge_flag_does_not_allow_deleting_recent_events(sealed_event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL audit.purge = 'on'")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [sealed_event.pk])
    assert AuditEvent.objects.filter(pk=sealed_event.pk).exists()
