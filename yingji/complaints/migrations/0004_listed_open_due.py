"""Open complaints not merged ("overdue now" as the selectors ask it) counted from an index alone, with
the units in it so a branch's scope is tested without reading the rows (bench/complaints_scale.py)."""

from django.db import migrations, models

OPEN = ["registered", "assigned", "handling", "paused", "pending_review", "returned", "approved"]


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_scale_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", True), ("status__in", OPEN)),
                fields=["decision_due_at", "unit", "handling_unit"],
                name="complaint_listed_open_due",
            ),
        ),
    ]
