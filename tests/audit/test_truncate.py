"""TRUNCATE, which row triggers never see, is refused on every audit table (issue 16)."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db

TABLES = [
    "audit_auditevent",
    "audit_auditseal",
    "audit_auditpending",
    "audit_auditchainhead",
    "audit_audittreenode",
    "audit_auditcheckpoint",
]


@pytest.fixture
def non_superuser():
    """Return a role that even holds the TRUNCATE privilege, as the tables' owner would."""
    role = f"audit_truncate_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT ALL ON {', '.join(TABLES)} TO {role}")
    return role


@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_refused_by_a_statement_trigger(chain, non_superuser, table):
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"SET LOCAL ROLE {non_superuser}")
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.count() == 12


def test_chain_heads_cannot_be_deleted(chain, world):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditChainHead.objects.filter(organization_id=world.org.pk).delete()
