"""Sealing as the application's role, which row-level security applies to (docs/deploy.md).

The suite connects as a superuser, whom PostgreSQL never subjects to the wall; PostgreSQL refuses
COPY FROM into a walled table for everyone else, so a sealer that used it worked in the tests and
failed in production.
"""

import uuid

import pytest
from django.db import connection

from audit.actors import Actor
from audit.models import AuditChainHead, AuditPending, AuditSeal, AuditTreeNode
from audit.services import audit_record, audit_seal_pending, audit_verify
from tenants.rls import rls_restore, rls_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_role():
    """Return an ordinary role with exactly the grants docs/deploy.md gives the application."""
    if connection.vendor != "postgresql":
        pytest.fail("row-level security needs PostgreSQL")
    role = f"seal_probe_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"CREATE ROLE {role} NOLOGIN NOBYPASSRLS")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return role


def _wall_applies() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_security_active('audit_auditseal')")
        return cursor.fetchone()[0]


def test_a_non_owner_role_under_row_level_security_seals_a_request_s_events(world, app_role):
    audit_seal_pending()  # whatever the fixtures wrote, so the chain below starts known
    before = AuditSeal.objects.filter(organization=world.org).count()
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {app_role}")
    previous = rls_scope(world.org.pk)  # as a request of acme is scoped
    try:
        assert _wall_applies()
        ids = [
            audit_record(
                organization_id=world.org.pk,
                actor=Actor.system(),
                action="test.sealed_as_app",
                target_id=str(i),
            )
            for i in range(7)
        ]
        sealed = audit_seal_pending(organization_id=world.org.pk)
    finally:
        rls_restore(previous)
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")

    assert sealed == 7
    assert not AuditPending.objects.filter(event_id__in=ids).exists()
    seals = list(AuditSeal.objects.filter(event_id__in=ids).order_by("seq"))
    assert [s.event_id for s in seals] == ids
    assert [s.seq for s in seals] == list(range(before + 1, before + 8))
    for earlier, later in zip(seals, seals[1:], strict=False):
        assert later.prev_hash == earlier.hash
    head = AuditChainHead.objects.get(organization=world.org)
    assert head.last_seq == before + 7 and head.tree_size == before + 7
    # The tree nodes went in too: every leaf is stored.
    assert AuditTreeNode.objects.filter(organization=world.org, level=0).count() == before + 7
    report = audit_verify(organization_id=world.org.pk)
    assert report.ok, report.message
