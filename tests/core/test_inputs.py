"""The input rules (yingji/core/inputs.py) as properties: which dates, texts, offsets and numbers pass,
and that each refusal says which rule in Chinese. The pages and the API apply them: see the
test_hostile_input.py of each app."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def chinese_at_a_fixed_time():
    with translation.override("zh-hans"), clock.frozen(NOW):
        yield


# Offsets people really use: whole quarter hours within ±14:00.
real_offsets = st.integers(min_value=-14 * 4, max_value=14 * 4).map(
    lambda quarters: timezone(timedelta(minutes=15 * quarters))
)
any_moment = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))


def records_begin() -> datetime:
    return datetime.combine(inputs.records_begin(), time.min, tzinfo=clock.SHANGHAI)


@given(moment=any_moment, tz=real_offsets)
def test_an_event_time_is_refused_exactly_outside_records_begin_to_now_plus_skew(moment, tz):
    value = moment.replace(tzinfo=tz)
    problem = inputs.event_time_problem(value)
    if value < records_begin():
        assert problem is not None and "本行设定" in problem and "2000-01-01" in problem
    elif value > NOW + inputs.clock_skew():
        assert problem is not None and "晚于当前时间" in problem
    else:
        assert problem is None


@given(moment=any_moment)
def test_a_time_without_offset_is_read_as_shanghai_time(moment):
    assert inputs.event_time_problem(moment) == inputs.event_time_problem(
        moment.replace(tzinfo=clock.SHANGHAI)
    )


def test_the_records_begin_on_the_day_the_bank_sets(settings):
    settings.YINGJI_RECORDS_BEGIN = date(2015, 7, 1)
    assert inputs.event_time_problem(datetime(2015, 7, 1, tzinfo=clock.SHANGHAI)) is None
    refused = inputs.event_time_problem(datetime(2015, 6, 30, 23, 59, tzinfo=clock.SHANGHAI))
    assert refused is not None and "本行设定：2015-07-01" in refused


def test_a_few_minutes_of_clock_skew_are_allowed_and_set_by_the_bank(settings):
    assert inputs.event_time_problem(NOW + timedelta(minutes=4)) is None
    assert inputs.event_time_problem(NOW + timedelta(minutes=6)) is not None
    settings.YINGJI_CLOCK_SKEW_MINUTES = 10
    assert inputs.event_time_problem(NOW + timedelta(minutes=6)) is None


@given(minutes=st.integers(min_value=-24 * 60 + 1, max_value=24 * 60 - 1))
def test_an_offset_is_refused_beyond_14_hours_or_off_the_quarter_hour(minutes):
    value = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(minutes=minutes)))
    problem = inputs.offset_problem(value)
    if abs(minutes) > 14 * 60 or minutes % 15:
        assert problem is not None and "-14:00 至 +14:00" in problem
    else:
        assert problem is None


def test_a_complaint_is_received_no_earlier_than_the_calendars_first_year_nor_in_the_future():
    first = inputs.calendar_first_year()
    assert first == 2004
    for year in (177, 1970, first - 1):
        with pytest.raises(InvalidInput) as refused:
            inputs.check_received_at(datetime(year, 5, 13, tzinfo=clock.SHANGHAI), "received_at")
        assert "2004" in refused.value.fields["received_at"] and "工作日历" in refused.value.message
    assert inputs.check_received_at(datetime(first, 1, 1, tzinfo=clock.SHANGHAI)) is not None
    with pytest.raises(InvalidInput):
        inputs.check_received_at(NOW + timedelta(hours=1))


letters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


@given(text=st.text(alphabet=letters))
def test_text_without_nul_or_lone_surrogates_passes(text):
    assert inputs.text_problem(text) is None
    inputs.validate_text(text)


@given(
    before=st.text(alphabet=letters), after=st.text(alphabet=letters), bad=st.sampled_from(["\x00", "\ud800"])
)
def test_a_nul_or_a_lone_surrogate_anywhere_is_refused(before, after, bad):
    text = before + bad + after
    problem = inputs.text_problem(text)
    assert problem is not None and ("空字符" if bad == "\x00" else "代理码位") in problem
    with pytest.raises(ValidationError):
        inputs.validate_text(text)


def test_a_nul_deep_in_a_json_value_is_found_and_the_field_named():
    with pytest.raises(InvalidInput) as refused:
        inputs.check_text({"injured": 1, "notes": ["ok", {"who": "张\x00三"}]}, "facts")
    assert set(refused.value.fields) == {"facts"}
    inputs.check_text({"injured": 1, "notes": ["正常文本"]}, "facts")


@pytest.mark.parametrize("number", [float("inf"), float("-inf"), float("nan")])
def test_a_json_value_holds_only_finite_numbers(number):
    with pytest.raises(InvalidInput) as refused:
        inputs.check_text({"amounts": [1.5, number]}, "facts")
    assert refused.value.fields == {"facts": "数值必须是有限数。"}


@given(day=st.dates())
def test_a_filter_day_of_any_date_becomes_a_bound_a_database_can_hold(day):
    start, end = inputs.day_start(day), inputs.day_end(day)
    assert start < end
    for bound in (start, end):
        bound.astimezone(UTC)  # would raise OverflowError for year 1 or 9999
        assert inputs.FILTER_FIRST <= bound.date() <= inputs.FILTER_LAST + timedelta(days=1)


@given(day=st.dates())
def test_a_filter_date_is_refused_outside_its_window_with_the_window_in_the_message(day):
    problem = inputs.filter_date_problem(day)
    if inputs.FILTER_FIRST <= day <= inputs.FILTER_LAST:
        assert problem is None
    else:
        assert problem == "请输入 1900-01-01 至 2999-12-31 之间的日期。"


@given(moment=st.datetimes(timezones=st.just(UTC)))
def test_any_stored_time_is_answered_as_a_valid_rfc_3339_time(moment):
    shown = inputs.local_time(moment)
    assert shown is not None
    offset = shown.utcoffset()
    assert offset is not None and offset % timedelta(minutes=1) == timedelta(0)
    assert datetime.fromisoformat(shown.isoformat()) == shown


def test_a_complaint_of_year_177_is_shown_in_utc_not_in_local_mean_time():
    shown = inputs.local_time(datetime(177, 5, 13, tzinfo=clock.SHANGHAI))
    assert shown is not None and shown.isoformat() == "0177-05-12T15:54:17+00:00"
    assert inputs.local_time(NOW).isoformat() == "2026-12-03T17:30:00+08:00"


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        ("-1", None),
        ("abc", None),
        ("", None),
        (None, None),
        ("1" + "0" * 20, None),
    ],
)
def test_a_record_id_from_a_request_is_a_number_a_column_holds_or_nothing(given_value, expected):
    assert inputs.record_id(given_value) == expected
