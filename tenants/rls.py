"""The second tenant wall: PostgreSQL row-level security keyed by the current organization.

Every tenant-owned table carries a policy (installed by ``portal/migrations``) that shows a row
only when ``app.organization_id`` names its organization, or is ``*``. The application's
connections start at ``*`` (the platform: sign-in, self-service, sweeps, commands; set in
DATABASES OPTIONS), and narrow to one organization as soon as a request or a task acts for it:
``org_view`` and ``request_organization`` in a request, the Celery hook in a task. The middleware
widens it back when the request ends, so a pooled connection never carries a scope over. A query
that forgets ``for_org`` then returns nothing of another organization. A connection that never
sets the variable (psql as the application role) sees no tenant row at all.

Exceptions, explicit: a role with BYPASSRLS (platform staff), and the tables' owner that runs
migrations (RLS is not forced on owners). ``tenants.Membership`` carries no policy: it is the map
from people to organizations, read to find a request's organization and to list a person's
organizations on every page. SQLite (the demo) has no RLS; everything here is a no-op there.
"""

from django.db import DEFAULT_DB_ALIAS, connections

SETTING = "app.organization_id"
ALL = "*"
FUNCTION = "app_rls_allows"

# Not walled: see the module docstring.
EXEMPT = frozenset({"tenants.Organization", "tenants.Membership"})
# The apps whose tables may be tenant-owned.
APPS = ("tenants", "audit", "outbox", "governance", "consent", "recognition", "dsr")


def rls_scope(organization_id: int | None, *, using: str = DEFAULT_DB_ALIAS) -> str:
    """Show this connection only ``organization_id``'s rows (None: all); return the previous scope.

    Session-wide on purpose: a request's queries need not share one transaction. The caller
    that narrows restores the previous scope when it is done (the middleware, the task hook).
    """
    connection = connections[using]
    previous = getattr(connection, "rls_current", ALL)
    if connection.vendor != "postgresql":
        return previous
    value = ALL if organization_id is None else str(int(organization_id))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, value])
    connection.rls_current = value
    return previous


def rls_restore(previous: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Put back a scope returned by ``rls_scope``."""
    connection = connections[using]
    if connection.vendor != "postgresql" or getattr(connection, "rls_current", ALL) == previous:
        return
    if connection.connection is None:
        # Closed since: a new connection starts at "*" (DATABASES OPTIONS).
        connection.rls_current = ALL
        if previous == ALL:
            return
    rls_scope(None if previous == ALL else int(previous), using=using)


class RowLevelSecurityMiddleware:
    """Widen the connection back to ``*`` after each request that narrowed it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rls_restore(ALL)  # a scope left by a request that died half-way
        try:
            return self.get_response(request)
        finally:
            rls_restore(ALL)


# --- Policies -------------------------------------------------------------------------------

_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(org bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE coalesce(current_setting('{SETTING}', true), '')
        WHEN '{ALL}' THEN true
        WHEN '' THEN false
        ELSE org = current_setting('{SETTING}', true)::bigint
    END
$$;
"""


def tenant_tables(models) -> list[tuple[str, str]]:
    """Return (table, policy condition) for every tenant-owned model among ``models``.

    A model with an organization column is walled by it; a model without one, by its parent
    through its first foreign key to a walled model (the parent's own policy applies inside).
    """
    direct: dict[str, str] = {}
    for model in models:
        label = model._meta.label
        if label in EXEMPT or model._meta.app_label not in APPS or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if field.column in ("organization_id", "organization_id_copy"):
                direct[label] = f"{FUNCTION}({field.column})"
                break
    walled = [(m._meta.db_table, direct[m._meta.label]) for m in models if m._meta.label in direct]
    for model in models:
        label = model._meta.label
        if label in direct or label in EXEMPT or model._meta.app_label not in APPS:
            continue
        for field in model._meta.concrete_fields:
            parent = getattr(field, "related_model", None)
            if field.is_relation and parent is not None and parent._meta.label in direct:
                # Table and column names come from the models, never from input.
                parent_key = f'p."{parent._meta.pk.column}"'
                child_key = f'"{model._meta.db_table}"."{field.column}"'
                condition = (
                    f'EXISTS (SELECT 1 FROM "{parent._meta.db_table}" p '  # noqa: S608
                    f"WHERE {parent_key} = {child_key})"
                )
                walled.append((model._meta.db_table, condition))
                break
    return walled


def rls_install(connection, models) -> list[str]:
    """Enable row-level security and (re)create the wall policy on every tenant-owned table.

    Idempotent; return the tables walled. Inserts are not checked (``WITH CHECK (true)``):
    services decide what they write, and some audit events go to every organization a person
    belongs to; the wall is against reading and changing another organization's rows.
    """
    if connection.vendor != "postgresql":
        return []
    tables = tenant_tables(models)
    with connection.cursor() as cursor:
        cursor.execute(_FUNCTION_SQL)
        for table, condition in tables:
            cursor.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            cursor.execute(f'DROP POLICY IF EXISTS tenant_wall ON "{table}"')
            cursor.execute(
                f'CREATE POLICY tenant_wall ON "{table}" USING ({condition}) WITH CHECK (true)'
            )
    return [table for table, _ in tables]


def rls_uninstall(connection, models) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table, _ in tenant_tables(models):
            cursor.execute(f'DROP POLICY IF EXISTS tenant_wall ON "{table}"')
            cursor.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
        cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(bigint)")
