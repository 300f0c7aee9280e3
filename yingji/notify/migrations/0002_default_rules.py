from django.db import migrations


def forwards(apps, schema_editor):
    from yingji.notify.defaults import ensure_defaults

    ensure_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial"), ("orgs", "0002_positions"), ("plans", "0002_version_submission")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
