"""The kinds of seed 001 (季度安全教育, 消防教育, 拒腐防变警示教育) and its cadence: "全年按季度" for every
branch, sub-branch and outlet. Both are data the bank edits afterwards (本行设定)."""

from django.db import migrations

KINDS = [
    ("quarterly_safety", "季度安全教育", 10),
    ("fire", "消防教育", 20),
    ("anti_corruption", "拒腐防变警示教育", 30),
]
UNIT_TYPES = ["branch", "sub_branch", "outlet"]


def ship(apps, schema_editor):
    SessionKind = apps.get_model("training", "SessionKind")
    Cadence = apps.get_model("training", "Cadence")
    for code, name, order in KINDS:
        kind, _ = SessionKind.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
        for unit_type in UNIT_TYPES:
            Cadence.objects.get_or_create(unit_type=unit_type, kind=kind, defaults={"every_months": 3})


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
