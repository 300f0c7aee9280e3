from django.db import migrations


def forwards(apps, schema_editor):
    from yingji.orgs.positions import sync_positions

    sync_positions(apps.get_model("orgs", "Position"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
