"""Indexes for the register at scale (bench/complaints_scale.py): "overdue now" through the handling
unit, and the list filtered by status with its count."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_standard_categories"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "registered",
                            "assigned",
                            "handling",
                            "paused",
                            "pending_review",
                            "returned",
                            "approved",
                        ],
                    )
                ),
                fields=["handling_unit", "decision_due_at"],
                name="complaint_handling_open_due",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", True)),
                fields=["status", "-received_at", "channel", "kind", "unit", "handling_unit"],
                name="complaint_status_received",
            ),
        ),
    ]
