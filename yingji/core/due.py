"""The one way a deadline is written for people: pages, notices and exports all call `due_text`, so a
period that ends at midnight never reads "12月18日 24:00" in one place and "12月19日 00:00" in another.

A period counted in days ends at 24:00 of its last day; stored, that instant is 00:00 of the next day.
We write it as the last day's 24:00, which is how the rules and the customer count it. Any other time is
written as HH:MM. The year is written only when it is not the current one."""

from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

from . import clock


def due_text(at: datetime | None, *, today: date | None = None) -> str:
    """Examples: "12月18日 24:00", "12月18日 14:30", "2025年12月18日 24:00" (another year); "" for none."""
    if at is None:
        return ""
    local = at.astimezone(clock.SHANGHAI)
    if local.time() == time(0):
        day, hour = local.date() - timedelta(days=1), "24:00"
    else:
        day, hour = local.date(), local.strftime("%H:%M")
    this_year = (today or clock.local_today()).year
    if day.year == this_year:
        written = _("%(month)d/%(day)d") % {"month": day.month, "day": day.day}
    else:
        written = _("%(year)d/%(month)d/%(day)d") % {"year": day.year, "month": day.month, "day": day.day}
    return f"{written} {hour}"
