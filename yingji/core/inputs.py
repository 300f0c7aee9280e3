"""Input rules: what a date, a text, a number or a time-zone offset given by a person or a client may be.

One rule, one place, three ways to apply it: `check_*` raises InvalidInput (services, imports);
`validate_*` raises Django's ValidationError (forms: see the fields in `yingji.core.forms`);
`pydantic_*` raises pydantic's error, which the API answers as 400 in its error shape. Each rule is a
`*_problem` function that returns the message for a value it refuses, or None.

Why: a date in year 1 or 177, or a filter until 9999-12-31, is a valid Python date but not a
plausible one, and once stored it broke every list that showed it (a UTC conversion falls outside
the years Python and PostgreSQL share). A NUL byte or a lone UTF-16 surrogate cannot be stored in
PostgreSQL at all. So each is refused at the door, with a message in the reader's language that says
which rule. What was stored before stays readable: on PostgreSQL a time outside Python's years reads
as the nearest one it can hold (`keep_stored_times_readable`), and the API writes any stored time as a
valid RFC 3339 date-time (`local_time`).

- An event (an incident, a task done) happened no earlier than the day the bank's records begin
  (`YINGJI_RECORDS_BEGIN`, 本行设定) and not later than now plus the allowed clock skew
  (`YINGJI_CLOCK_SKEW_MINUTES`).
- A complaint (and any news of it: new facts, a withdrawal) is received no earlier than 1 January of
  the first year the working-day calendar covers (its deadlines are counted in working days), nor in
  the future.
- A date in a list's filter lies within `FILTER_FIRST`..`FILTER_LAST`: a wider one finds nothing more
  and only risks an overflow.
- A time-zone offset is within ±14:00 (the widest in use, Kiribati) and a whole quarter hour.
- A page offset is at most `MAX_OFFSET`."""

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from . import clock
from .errors import InvalidInput

FILTER_FIRST = date(1900, 1, 1)
FILTER_LAST = date(2999, 12, 31)
MAX_OFFSET = 1_000_000_000
MAX_ID = 2**31 - 1  # the largest value of an integer column on every database
MAX_TZ_OFFSET = timedelta(hours=14)
QUARTER_HOUR = timedelta(minutes=15)
# The error type the API's validation handler shows by its message (yingji/api/api.py).
PYDANTIC_ERROR = "yingji_input"

SURROGATES = range(0xD800, 0xE000)


# --- Settings --------------------------------------------------------------------------------------


def records_begin() -> date:
    """The first day of the bank's records (本行设定 `YINGJI_RECORDS_BEGIN`)."""
    return settings.YINGJI_RECORDS_BEGIN


def clock_skew() -> timedelta:
    """How far in the future a given time may lie, for clocks that run ahead (`YINGJI_CLOCK_SKEW_MINUTES`)."""
    return timedelta(minutes=settings.YINGJI_CLOCK_SKEW_MINUTES)


@cache
def calendar_first_year() -> int:
    """The first year the working-day calendar covers (the chinese-calendar package's first year)."""
    from .calendar_data import package_years

    return package_years()[0]


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.SHANGHAI)


def _fmt(moment: datetime) -> str:
    return moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


# --- The rules: each returns the message for a refused value, or None ------------------------------


def text_problem(value: str) -> str | None:
    """NUL and lone surrogates are no text: PostgreSQL cannot store them and nobody types them."""
    if "\x00" in value:
        return _("The text contains a NUL character, which is not allowed.")
    if any(ord(c) in SURROGATES for c in value):
        return surrogate_message()
    return None


def surrogate_message() -> str:
    """Also what the API says when pydantic itself cannot read such a string (`string_unicode`)."""
    return _("The text contains an invalid character (a lone UTF-16 surrogate).")


def _deep_text_problem(value: Any) -> str | None:
    """The same, for every string in a JSON value (keys included); and a number in it is finite
    (JSON parsers read 1e400 and NaN, which no database stores as JSON)."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return _("Numbers must be finite.")
    if isinstance(value, dict):
        for key, item in value.items():
            if found := _deep_text_problem(key) or _deep_text_problem(item):
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            if found := _deep_text_problem(item):
                return found
    return None


def offset_problem(value: datetime | time) -> str | None:
    """A time-zone offset a client wrote outside ±14:00, or not a whole quarter hour, is a typing
    error. A named zone is ours (the form's Asia/Shanghai: +08:05:43 before 1901) and passes."""
    if value.tzinfo is None or isinstance(value.tzinfo, ZoneInfo):
        return None
    offset = value.utcoffset() if isinstance(value, datetime) else value.tzinfo.utcoffset(None)
    if offset is None:
        return None
    if abs(offset) > MAX_TZ_OFFSET or offset % QUARTER_HOUR:
        return _("The time-zone offset must lie between -14:00 and +14:00, in whole quarter hours.")
    return None


def _as_local(value: datetime) -> datetime:
    """A time without an offset is Asia/Shanghai time (the site's time zone)."""
    return value.replace(tzinfo=clock.SHANGHAI) if timezone.is_naive(value) else value


def _window_problem(value: datetime, first: datetime, too_early: str) -> str | None:
    if found := offset_problem(value):
        return found
    value = _as_local(value)
    try:
        early = value < first
        late = value > clock.now() + clock_skew()
    except OverflowError:  # pragma: no cover - an offset checked above cannot overflow a comparison
        return too_early
    if early:
        return too_early
    if late:
        return _("This time is in the future (now is %(now)s).") % {"now": _fmt(clock.now())}
    return None


def event_time_problem(value: datetime) -> str | None:
    """When something happened: since the bank's records begin, and not in the future."""
    begin = records_begin()
    message = _("This time is before the bank's records begin (%(begin)s, set by the bank).") % {
        "begin": begin.isoformat()
    }
    return _window_problem(value, _local_start(begin), message)


def received_time_problem(value: datetime) -> str | None:
    """When a complaint (or news about it) arrived: within the calendar's years, and not in the future."""
    year = calendar_first_year()
    message = _(
        "A complaint cannot be received before %(year)s: the working-day calendar starts that year."
    ) % {"year": year}
    return _window_problem(value, _local_start(date(year, 1, 1)), message)


def filter_date_problem(value: date) -> str | None:
    if not FILTER_FIRST <= value <= FILTER_LAST:
        return _("Enter a date from %(first)s to %(last)s.") % {
            "first": FILTER_FIRST.isoformat(),
            "last": FILTER_LAST.isoformat(),
        }
    return None


def filter_time_problem(value: datetime) -> str | None:
    return offset_problem(value) or filter_date_problem(value.date())


def record_id(value: object) -> int | None:
    """A record's id or number as a request gives it ("12"), or None when it is not one a database
    column can hold (not a number, negative, or past 2**31 - 1)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if 0 <= number <= MAX_ID else None


# --- Filters: a list never fails on its filter -----------------------------------------------------


def clamp_filter_date(value: date) -> date:
    return min(max(value, FILTER_FIRST), FILTER_LAST)


def day_start(value: date) -> datetime:
    """00:00 Asia/Shanghai of `value`, as a filter's lower bound ("since")."""
    return _local_start(clamp_filter_date(value))


def day_end(value: date) -> datetime:
    """00:00 Asia/Shanghai of the day after `value`, as a filter's exclusive upper bound ("until")."""
    return _local_start(clamp_filter_date(value) + timedelta(days=1))


def clamp_filter_time(value: datetime | None) -> datetime | None:
    """A filter's datetime, aware (Shanghai if naive), within the filter window."""
    if value is None:
        return None
    value = _as_local(value)
    if offset_problem(value):
        value = value.replace(tzinfo=clock.SHANGHAI)
    first, last = _local_start(FILTER_FIRST), _local_start(FILTER_LAST + timedelta(days=1))
    return min(max(value, first), last)


# --- What is stored is always shown -----------------------------------------------------------------

STORED_FIRST = datetime(1, 1, 2, tzinfo=UTC)
STORED_LAST = datetime(9999, 12, 30, tzinfo=UTC)


def clamp_stored(value: datetime) -> datetime:
    """A stored time brought within the years every conversion can show (a day from either end of
    Python's range, so Asia/Shanghai and any offset still fit)."""
    return min(max(value, STORED_FIRST), STORED_LAST)


def local_time(value: datetime | None) -> datetime | None:
    """A time as the API answers it: Asia/Shanghai, or UTC for a time before 1901, when Shanghai's
    offset was local mean time (+08:05:43), which RFC 3339 cannot write."""
    if value is None:
        return None
    local = clamp_stored(value).astimezone(clock.SHANGHAI)
    offset = local.utcoffset()
    return local if offset is None or not offset % timedelta(minutes=1) else local.astimezone(UTC)


def keep_stored_times_readable(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On each new PostgreSQL connection: a `timestamptz` outside Python's years (stored before these
    rules, e.g. 0001-01-01 in Asia/Shanghai, which is 1 BC in UTC) reads as the nearest time Python
    can hold instead of failing the whole query. Connected to `connection_created` by CoreConfig."""
    if connection.vendor != "postgresql":
        return
    import psycopg
    from psycopg.pq import Format

    adapters = getattr(connection.connection, "adapters", None)  # psycopg 3; psycopg2 has none
    if adapters is None:
        return
    base = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    if base is None or getattr(base, "clamps_stored_times", False):
        return

    class ClampingLoader(base):  # type: ignore[misc, valid-type]
        clamps_stored_times = True

        def load(self, data: Any) -> datetime:
            try:
                return super().load(data)
            except psycopg.DataError:
                return STORED_FIRST if b"BC" in bytes(data) else STORED_LAST

    adapters.register_loader("timestamptz", ClampingLoader)


# --- Adapters ----------------------------------------------------------------------------------------


def _checker(rule: Callable[[Any], str | None]) -> Callable[..., Any]:
    def check(value: Any, field: str = "") -> Any:
        if value is not None and (message := rule(value)):
            raise InvalidInput(message, fields={field: message} if field else None)
        return value

    check.__doc__ = f"Raise InvalidInput (naming `field`) if `{rule.__name__}` refuses the value."
    return check


check_text = _checker(_deep_text_problem)
check_event_time = _checker(event_time_problem)
check_received_at = _checker(received_time_problem)
check_filter_date = _checker(filter_date_problem)


def _validator(rule: Callable[[Any], str | None], code: str) -> Callable[[Any], None]:
    def validate(value: Any) -> None:
        if value is not None and (message := rule(value)):
            raise ValidationError(message, code=code)

    return validate


validate_text = _validator(text_problem, "invalid_text")
validate_event_time = _validator(event_time_problem, "implausible_time")
validate_received_time = _validator(received_time_problem, "implausible_time")
validate_filter_date = _validator(filter_date_problem, "implausible_date")


def _pydantic(rule: Callable[[Any], str | None]) -> AfterValidator:
    def validate(value: Any) -> Any:
        if value is not None and (message := rule(value)):
            raise PydanticCustomError(PYDANTIC_ERROR, "{message}", {"message": message})
        return value

    return AfterValidator(validate)


pydantic_text = _pydantic(_deep_text_problem)

ISO_DATE_TIME = re.compile(r"\s*\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_shape(value: Any) -> Any:
    """Before pydantic reads it: a date-time as ISO 8601 text, not a number (pydantic would read 0.5
    as half a second after 1970, which nobody means)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_DATE_TIME.match(value):
        message = _("Give a date and time in ISO 8601, e.g. 2026-03-02T09:30:00+08:00.")
        raise PydanticCustomError(PYDANTIC_ERROR, "{message}", {"message": message})
    return value


# Types for API schemas: `occurred_at: EventTime`, `received_at: ReceivedTime | None = None`.
EventTime = Annotated[datetime, BeforeValidator(_iso_shape), _pydantic(event_time_problem)]
ReceivedTime = Annotated[datetime, BeforeValidator(_iso_shape), _pydantic(received_time_problem)]
FilterTime = Annotated[datetime, BeforeValidator(_iso_shape), _pydantic(filter_time_problem)]
