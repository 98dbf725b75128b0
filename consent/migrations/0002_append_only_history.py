"""Make consent history append-only in the database itself (PostgreSQL), R16.

UPDATE and DELETE on consent events and receipts are refused by triggers, whoever connects.
A retention purge may delete events past ``retain_until`` (at least three years after the
consent's last event) by setting ``consent.purge`` for its own transaction.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION consent_event_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('consent.purge', true) = 'on'
       AND OLD.retain_until < now() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'consent history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION consent_receipt_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('consent.purge', true) = 'on'
       AND EXISTS (SELECT 1 FROM consent_consentevent e
                   WHERE e.id = OLD.event_id AND e.retain_until < now()) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'consent receipts are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consent_event_append_only BEFORE UPDATE OR DELETE ON consent_consentevent
    FOR EACH ROW EXECUTE FUNCTION consent_event_refuse_change();
CREATE TRIGGER consent_receipt_append_only BEFORE UPDATE OR DELETE ON consent_consentreceipt
    FOR EACH ROW EXECUTE FUNCTION consent_receipt_refuse_change();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS consent_event_append_only ON consent_consentevent;
DROP TRIGGER IF EXISTS consent_receipt_append_only ON consent_consentreceipt;
DROP FUNCTION IF EXISTS consent_event_refuse_change();
DROP FUNCTION IF EXISTS consent_receipt_refuse_change();
"""


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
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
