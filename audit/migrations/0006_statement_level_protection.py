"""Refuse TRUNCATE on every audit table, and make the tree and checkpoints append-only.

Row triggers (0002) never fire on TRUNCATE, so one statement could empty the trail; these
statement-level triggers refuse it to every role but a superuser, the tables' owner included
(issue 16).
Tree nodes and checkpoints are never changed or deleted, not even by the retention purge: proofs
must keep working over purged events. A chain head is updated by the sealer but never deleted.
"""

from django.db import migrations

TABLES = (
    "audit_auditevent",
    "audit_auditseal",
    "audit_auditpending",
    "audit_auditchainhead",
    "audit_audittreenode",
    "audit_auditcheckpoint",
)

FORWARD = (
    r"""
CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    -- A superuser can switch any trigger off (session_replication_role) and is no one this
    -- trigger could stop: what catches them is the checkpoints handed out. Letting them through
    -- keeps Django's test flush (a TRUNCATE of every table) working.
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only: TRUNCATE on % refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_refuse_any_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_tree_append_only BEFORE UPDATE OR DELETE ON audit_audittreenode
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_any_change();
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_any_change();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_any_change();
"""
    + "".join(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();\n"
        for table in TABLES
    )
)

BACKWARD = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};\n" for table in TABLES)
    + r"""
DROP TRIGGER IF EXISTS audit_tree_append_only ON audit_audittreenode;
DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_auditcheckpoint;
DROP TRIGGER IF EXISTS audit_head_no_delete ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_refuse_truncate();
DROP FUNCTION IF EXISTS audit_refuse_any_change();
"""
)


def _run(schema_editor, sql):
    # A raw cursor: the SQL holds '%' placeholders of RAISE, not query parameters.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_merkle_tree_and_checkpoints")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
