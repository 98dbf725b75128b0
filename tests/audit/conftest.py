import pytest
from django.db import connection

from audit.actors import Actor
from audit.models import AuditEvent
from audit.services import audit_record, audit_seal_pending

TRIGGERS = [
    ("audit_auditevent", "audit_event_append_only"),
    ("audit_auditseal", "audit_seal_append_only"),
]


@pytest.fixture
def chain(world):
    """Return ten sealed events of acme, oldest first, and two of the other organization."""
    ids = [
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
    for _ in range(2):
        audit_record(organization_id=world.outsider_org.pk, actor=Actor.system(), action="o.e")
    events = [AuditEvent.objects.get(pk=pk) for pk in ids]
    audit_seal_pending()
    return events


@pytest.fixture
def tamper():
    """Return ``run(sql, params)``: execute SQL with the append-only triggers disabled."""

    def run(sql, params=()):
        with connection.cursor() as cursor:
            # Deferred foreign-key checks of this test's inserts would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            try:
                cursor.execute(sql, params)
            finally:
                for table, trigger in TRIGGERS:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")

    return run
