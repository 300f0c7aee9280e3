from django.db import migrations


def forwards(apps, schema_editor):
    from yingji.core.calendar_data import sync_calendar_from_package

    sync_calendar_from_package(apps.get_model("core", "CalendarDay"), apps.get_model("core", "CalendarYear"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_calendarday_calendaryear")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
