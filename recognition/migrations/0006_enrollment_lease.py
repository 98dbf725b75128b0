from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0005_enrollment_template_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="enrollment",
            name="worker",
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
