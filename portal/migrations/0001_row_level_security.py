"""Row-level security on every tenant-owned table of every app (issue 16, tenants/rls.py).

One migration for all apps, here at the top floor, so each app's own migrations stay theirs.
It runs after the latest migration of each app; tables added later are walled by the same
function after every ``migrate`` (``portal.apps``), so none is forgotten.
"""

from django.db import migrations

from tenants.rls import rls_install, rls_uninstall


def forward(apps, schema_editor):
    rls_install(schema_editor.connection, list(apps.get_models()))


def backward(apps, schema_editor):
    rls_uninstall(schema_editor.connection, list(apps.get_models()))


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_invitations"),
        ("audit", "0006_statement_level_protection"),
        ("governance", "0005_calibrated_identification"),
        ("consent", "0003_data_request_workflow"),
        ("recognition", "0005_enrollment_template_state"),
        ("dsr", "0001_initial"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
