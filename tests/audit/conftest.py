import pytest
from django.db import connection

from audit.actors import Actor
from audit.services import audit_record, audit_seal_pending


@pytest.fixture
def chain(world):
    """Return ten sealed events of acme, oldest first, and two of the other organization."""
    events = [
        audit_record(
            organization_id=world.org.pk,
            actor=Actor.system(),
            action="test.event",
            target_type="thing",
            target_id=str(i),
            details={"i": i, "note": "café ☕"},
        )
        for i in range(10)
    ]
    for i in range(2):
        audit_record(organization_id=world.outsider_org.pk, actor=Actor.system(), action="o.e")
    audit_seal_pending()
    return events


@pytest.fixture
def tamper():
    """Return ``run(sql, params)``: execute SQL with the append-only triggers disabled."""

    def run(sql, params=()):
        with connection.cursor() as cursor:
            # Deferred foreign-key checks of this test's inserts would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
            cursor.execute("ALTER TABLE audit_auditseal DISABLE TRIGGER audit_seal_append_only")
            try:
                cursor.execute(sql, params)
            finally:
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
                cursor.execute("ALTER TABLE audit_auditseal ENABLE TRIGGER audit_seal_append_only")

    return run
