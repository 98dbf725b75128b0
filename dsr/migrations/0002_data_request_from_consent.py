"""dsr takes DataRequest over from consent (issue 14); consent 0004 renamed its table already.

The model state is created here without touching the database: the table ``dsr_datarequest``
holds every row with its id. The content type moves with it, so permissions attached to it
stay attached and no stale ``consent.datarequest`` type is left behind.
"""

import django.db.models.deletion
from django.db import migrations, models


def _content_type_move(source: str, target: str):
    def move(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects.using(
            schema_editor.connection.alias
        )
        if not content_types.filter(app_label=target, model="datarequest").exists():
            content_types.filter(app_label=source, model="datarequest").update(app_label=target)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0004_data_request_to_dsr"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("dsr", "0001_initial"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DataRequest",
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject_pseudonym', models.UUIDField()),
                        ('kind', models.CharField(choices=[('access', 'See my data'), ('portability', 'Get a copy of my data'), ('correction', 'Correct my data'), ('erasure', 'Delete my data'), ('restriction', 'Restrict processing'), ('explanation', 'Explain the processing'), ('objection', 'Object to the processing')], max_length=16, verbose_name='kind')),
                        ('status', models.CharField(choices=[('received', 'Received'), ('identity_verified', 'Identity verified'), ('in_progress', 'In progress'), ('extended', 'Extended'), ('completed', 'Completed'), ('rejected', 'Rejected')], default='received', max_length=20, verbose_name='status')),
                        ('channel', models.CharField(choices=[('self_service', 'Self-service page'), ('staff', 'Staff'), ('api', 'API')], max_length=16, verbose_name='channel')),
                        ('message', models.TextField(blank=True, verbose_name='message')),
                        ('language', models.CharField(blank=True, max_length=8, verbose_name='language')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('first_due_at', models.DateTimeField(blank=True, null=True)),
                        ('due_at', models.DateTimeField(blank=True, null=True)),
                        ('extended_at', models.DateTimeField(blank=True, null=True)),
                        ('extension_reason', models.TextField(blank=True, verbose_name='reason for the extension')),
                        ('extension_notified_at', models.DateTimeField(blank=True, null=True)),
                        ('deadline_flag', models.CharField(blank=True, choices=[('', 'On time'), ('due_soon', 'Due soon'), ('overdue', 'Overdue')], max_length=10)),
                        ('deadline_alerted_at', models.DateTimeField(blank=True, null=True)),
                        ('identity_check', models.CharField(blank=True, max_length=300, verbose_name='identity check')),
                        ('identity_verified_at', models.DateTimeField(blank=True, null=True)),
                        ('identity_verified_by', models.CharField(blank=True, max_length=200)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('handled_by', models.CharField(blank=True, max_length=200)),
                        ('rejection_reason', models.TextField(blank=True, verbose_name='reason for the rejection')),
                        ('response', models.TextField(blank=True, verbose_name='answer')),
                        ('outcome', models.CharField(blank=True, max_length=40)),
                        ('changes', models.JSONField(blank=True, default=dict)),
                        ('verification_report', models.JSONField(blank=True, null=True)),
                        ('export_nonce', models.CharField(blank=True, max_length=32)),
                        ('export_expires_at', models.DateTimeField(blank=True, null=True)),
                        ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='duplicates', to='dsr.datarequest')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='data_requests', to='tenants.organization')),
                        ('subject', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='data_requests', to='consent.subject')),
                    ],
                    options={
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['organization', 'status'], name='data_request_org_status'), models.Index(fields=['status', 'due_at'], name='data_request_status_due'), models.Index(fields=['subject', 'kind'], name='data_request_subject_kind')],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            _content_type_move("consent", "dsr"),
            _content_type_move("dsr", "consent"),
            elidable=False,
        ),
    ]
