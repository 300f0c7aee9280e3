from django.db import migrations


def load(apps, schema_editor):
    from yingji.complaints.categories import sync_categories

    sync_categories(apps.get_model("complaints", "Category"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
