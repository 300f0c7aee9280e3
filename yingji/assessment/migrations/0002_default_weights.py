"""The weights a new bank starts from (本行设定, editable by head office's 应急管理员 afterwards): the
annual plan's tasks and the rectifications weigh most, as seed 001 names them first among the year's work."""

from django.db import migrations

DEFAULTS = {
    "task_on_time": 20,
    "letter_sign": 15,
    "rectification_closure": 20,
    "training_coverage": 15,
    "readiness": 15,
    "drill_done": 15,
}


def add(apps, schema_editor):
    Weight = apps.get_model("assessment", "Weight")
    for component, weight in DEFAULTS.items():
        Weight.objects.get_or_create(component=component, defaults={"weight": weight})


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
