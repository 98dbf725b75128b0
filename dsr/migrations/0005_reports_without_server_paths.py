"""Reports written before issue 18 named the media store by its absolute path (MEDIA_ROOT) in
the "table" of their files row; they now say "media:". Rewrite the stored ones the same way, so
no answer shows an old server path. Request rows and runs are not sealed in the audit chain."""

from django.db import migrations

MEDIA_LABEL = "media:"


def _scrub(value):
    """Return ``value`` with every absolute-path "table" replaced by the label, and whether."""
    if isinstance(value, list):
        items = [_scrub(item) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    if isinstance(value, dict):
        changed = False
        out = {}
        for key, item in value.items():
            if key == "table" and isinstance(item, str) and item.startswith("/"):
                out[key], changed = MEDIA_LABEL, True
            else:
                out[key], sub = _scrub(item)
                changed = changed or sub
        return out, changed
    return value, False


def scrub_reports(apps, schema_editor):
    fields = {
        "DataRequest": ["verification_report"],
        "TerminationRun": ["counts_before", "report"],
    }
    for model_name, names in fields.items():
        model = apps.get_model("dsr", model_name)
        for row in model.objects.exclude(**{f"{names[0]}__isnull": True}).iterator():
            updates = {}
            for name in names:
                value, changed = _scrub(getattr(row, name))
                if changed:
                    updates[name] = value
            if updates:
                model.objects.filter(pk=row.pk).update(**updates)


class Migration(migrations.Migration):
    dependencies = [("dsr", "0004_imported_consent_status_derived")]

    operations = [migrations.RunPython(scrub_reports, migrations.RunPython.noop)]
