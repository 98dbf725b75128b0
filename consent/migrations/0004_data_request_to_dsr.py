"""DataRequest moves to the dsr app, which owns its workflow (issue 14); dsr 0002 takes it on.

Nothing is copied: the table is renamed to dsr's name and keeps its rows, ids, sequence,
indexes, foreign keys and row-level security policy; consent's model state then forgets the
model. Audit events name a request "data_request" with its id, and neither changes, so every
existing event and the audit chain's hashes stay as they are.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0003_data_request_workflow"),
    ]

    operations = [
        migrations.AlterModelTable(name="datarequest", table="dsr_datarequest"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DataRequest")],
        ),
    ]
