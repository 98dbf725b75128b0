"""The second tenant wall: row-level security hides other organizations' rows (issue 16).

The suite connects as a superuser, whom PostgreSQL never subjects to row-level security; these
tests switch to an ordinary role, as the application's role in production is (docs/deploy.md).
"""

import uuid
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from tenants.rls import ALL, EXEMPT, rls_restore, rls_scope, tenant_tables
from tests.portal.cross_tenant_seed import _tenant

pytestmark = pytest.mark.django_db


def _tenant_models():
    """Return (model, foreign key to its walled parent or None) for every walled model."""
    models = list(apps.get_models())
    tables = {table for table, _ in tenant_tables(models)}
    out = []
    for model in models:
        if model._meta.db_table not in tables:
            continue
        columns = {f.column for f in model._meta.concrete_fields}
        if {"organization_id", "organization_id_copy"} & columns:
            out.append((model, None))
        else:
            parent_fk = next(
                f
                for f in model._meta.concrete_fields
                if f.is_relation
                and f.related_model is not None
                and {"organization_id"} & {g.column for g in f.related_model._meta.concrete_fields}
            )
            out.append((model, parent_fk))
    return out


def _rows_of(model, parent_fk, org_id) -> set:
    """Return the pks of ``org_id``'s rows, read without the wall (as the superuser)."""
    manager = model._base_manager
    if parent_fk is not None:
        return set(
            manager.filter(**{f"{parent_fk.name}__organization_id": org_id}).values_list(
                "pk", flat=True
            )
        )
    (field,) = (
        f
        for f in model._meta.concrete_fields
        if f.column in ("organization_id", "organization_id_copy")
    )
    return set(manager.filter(**{field.attname: org_id}).values_list("pk", flat=True))


@pytest.fixture
def app_role():
    """Return an ordinary role with the application's rights: it is subject to the wall."""
    role = f"rls_probe_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
    return role


@contextmanager
def _as(role, organization_id):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    previous = rls_scope(organization_id)
    try:
        yield
    finally:
        rls_restore(previous)
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@pytest.fixture
def two_tenants():
    from audit.services import audit_checkpoint, audit_seal_pending

    a, b = _tenant("alpha", "ALPHA"), _tenant("bravo", "BRAVO")
    audit_seal_pending()
    for tenant in (a, b):
        audit_checkpoint(organization_id=tenant.org.pk)
    return a, b


def test_every_tenant_owned_table_has_row_level_security():
    walled = {model._meta.db_table for model, _ in _tenant_models()}
    for model in apps.get_models():
        has_org = any(f.name == "organization" for f in model._meta.concrete_fields)
        if has_org and model._meta.label not in EXEMPT:
            assert model._meta.db_table in walled, model._meta.label
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relname = ANY(%s)",
            [sorted(walled)],
        )
        enabled = {name for (name,) in cursor.fetchall()}
    assert enabled == walled


def test_unscoped_query_of_every_tenant_model_with_b_set_returns_no_row_of_a(two_tenants, app_role):
    a, b = two_tenants
    models = _tenant_models()
    of_a = {model: _rows_of(model, fk, a.org.pk) for model, fk in models}
    of_b = {model: _rows_of(model, fk, b.org.pk) for model, fk in models}
    # The test only means something where A has rows: most tables must hold some.
    assert sum(1 for rows in of_a.values() if rows) >= 25, [
        m._meta.label for m, rows in of_a.items() if not rows
    ]

    seen_by_b, seen_by_a = {}, {}
    with _as(app_role, b.org.pk):
        for model, _ in models:
            # Deliberately unscoped: no for_org, no filter at all.
            seen_by_b[model] = set(model._base_manager.values_list("pk", flat=True))
    with _as(app_role, a.org.pk):
        for model, _ in models:
            seen_by_a[model] = set(model._base_manager.values_list("pk", flat=True))

    for model, _ in models:
        label = model._meta.label
        assert not seen_by_b[model] & of_a[model], f"{label}: B sees A's rows"
        assert seen_by_b[model] == of_b[model], f"{label}: B does not see exactly its own rows"
        assert seen_by_a[model] == of_a[model], f"{label}: A does not see exactly its own rows"


def test_a_connection_that_never_set_an_organization_sees_no_tenant_row(two_tenants, app_role):
    from consent.models import Subject

    with connection.cursor() as cursor:
        cursor.execute("SET ROLE %s" % app_role)  # noqa: UP031 - an identifier, not a value
        cursor.execute("SELECT set_config('app.organization_id', '', false)")
        try:
            assert not Subject._base_manager.exists()
        finally:
            cursor.execute("SELECT set_config('app.organization_id', '*', false)")
            cursor.execute("RESET ROLE")
    with _as(app_role, None):
        assert Subject._base_manager.count() >= 2  # "*": the platform sees everyone


def _current_scope():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.organization_id', true)")
        return cursor.fetchone()[0]


@contextmanager
def _scopes_of_queries_on(table):
    """Record the connection's scope at each query that reads ``table``."""
    seen = []

    def wrapper(execute, sql, params, many, context):
        if f'"{table}"' in sql:
            seen.append(getattr(connection, "rls_current", ALL))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def test_panel_and_api_requests_are_scoped_and_widened_after(two_tenants, client):
    from rest_framework.test import APIClient

    from tests.conftest import sign_in

    a, _ = two_tenants
    sign_in(client, a.users["owner"])
    with _scopes_of_queries_on("governance_deployment") as seen:
        response = client.get(reverse("panel:gov_deployments", args=[a.org.slug]))
    assert response.status_code == 200
    assert seen and set(seen) == {str(a.org.pk)}
    assert _current_scope() == ALL

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {a.keys['owner']}")
    with _scopes_of_queries_on("audit_auditevent") as seen:
        assert api.get("/api/v1/audit-events/").status_code == 200
    assert str(a.org.pk) in seen
    assert _current_scope() == ALL


def test_a_task_for_one_organization_runs_scoped_and_restores_the_scope(two_tenants):
    from portal.celery import _rls_task_end, _rls_task_start, task_organization

    a, _ = two_tenants

    class FakeTask:
        def run(self, organization_id, job_id):
            return None

    assert task_organization(FakeTask(), (a.org.pk, 3), {}) == a.org.pk
    assert task_organization(FakeTask(), (), {"organization_id": a.org.pk}) == a.org.pk
    _rls_task_start(task_id="t1", task=FakeTask(), args=(a.org.pk, 3), kwargs={})
    assert _current_scope() == str(a.org.pk)
    _rls_task_end(task_id="t1")
    assert _current_scope() == ALL
