from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from postsale.core.calendar import BusinessCalendar

WARSAW = ZoneInfo("Europe/Warsaw")
H24 = timedelta(hours=24)
# Poland without public holidays, for the SPEC examples (weekend Saturday+Sunday).
plain_pl = BusinessCalendar(time_zone="Europe/Warsaw")
poland = BusinessCalendar(time_zone="Europe/Warsaw", country="PL")
israel = BusinessCalendar(time_zone="Asia/Jerusalem", country="IL")


def at(*args, tz=WARSAW):
    return datetime(*args, tzinfo=tz)


@pytest.mark.parametrize(("opened", "processed"), [
    # SPEC §3 examples (2026-11-20 is a Friday).
    (at(2026, 11, 20, 15), at(2026, 11, 23, 15)),  # Friday 15:00 → Monday 15:00
    (at(2026, 11, 21, 10), at(2026, 11, 24, 0)),  # Saturday 10:00 → Tuesday 00:00
    (at(2026, 11, 18, 9), at(2026, 11, 19, 9)),  # Wednesday 09:00 → Thursday 09:00
    (at(2026, 11, 22, 23, 59), at(2026, 11, 24, 0)),  # Sunday night → Tuesday 00:00
    (at(2026, 11, 20, 0), at(2026, 11, 21, 0)),  # all of Friday counts
])
def test_spec_examples(opened, processed):
    assert plain_pl.add_business(opened, H24) == processed


def test_24_hours_across_the_autumn_dst_change_land_on_the_same_local_hour():
    # 2026-10-25 03:00 CEST → 02:00 CET. Thursday 10:00 + 48 h → Monday 10:00 local.
    result = plain_pl.add_business(at(2026, 10, 22, 10), 2 * H24)
    assert result == at(2026, 10, 26, 10)
    assert result.utcoffset() == timedelta(hours=1)


def test_24_hours_across_the_spring_dst_change_land_on_the_same_local_hour():
    # 2027-03-28 is a Sunday; Friday 2027-03-26 12:00 + 24 h → Monday 12:00 CEST.
    result = plain_pl.add_business(at(2027, 3, 26, 12), H24)
    assert result == at(2027, 3, 29, 12) and result.utcoffset() == timedelta(hours=2)


def test_public_holidays_pause_the_clock():
    # 2026-11-11 (Wednesday) is Independence Day in Poland.
    assert poland.holiday_name(date(2026, 11, 11))
    assert poland.add_business(at(2026, 11, 10, 15), H24) == at(2026, 11, 12, 15)


def test_holidays_do_not_pause_when_the_seller_turns_that_off():
    calendar = BusinessCalendar(time_zone="Europe/Warsaw", country="PL",
                                pause_on_holidays=False)
    assert calendar.add_business(at(2026, 11, 10, 15), H24) == at(2026, 11, 11, 15)


def test_the_sellers_closure_days_pause_the_clock():
    calendar = BusinessCalendar(time_zone="Europe/Warsaw",
                                closures=frozenset({date(2026, 11, 19)}))
    assert calendar.add_business(at(2026, 11, 18, 9), H24) == at(2026, 11, 20, 9)


def test_friday_and_saturday_weekend_in_israel():
    tz = ZoneInfo("Asia/Jerusalem")
    assert israel.weekend_days == {4, 5}
    # Thursday 2026-11-19 15:00 + 24 h → Sunday 15:00.
    assert israel.add_business(at(2026, 11, 19, 15, tz=tz), H24) == at(2026, 11, 22, 15, tz=tz)


def test_not_before_business():
    assert plain_pl.not_before_business(at(2026, 11, 21, 10)) == at(2026, 11, 23, 0)
    assert plain_pl.not_before_business(at(2026, 11, 20, 23)) == at(2026, 11, 20, 23)
    assert poland.not_before_business(at(2026, 11, 11, 8)) == at(2026, 11, 12, 0)


def test_add_business_days():
    assert plain_pl.add_business_days(at(2026, 11, 20, 15), 7) == at(2026, 12, 1, 15)


def test_refuses_naive_times_negative_durations_and_calendars_without_workdays():
    with pytest.raises(ValueError):
        plain_pl.add_business(datetime(2026, 11, 20, 15), H24)
    with pytest.raises(ValueError):
        plain_pl.add_business(at(2026, 11, 20, 15), -H24)
    with pytest.raises(ValueError):
        BusinessCalendar(weekend=frozenset(range(7)))


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31),
                       timezones=st.just(UTC))
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))
calendars = st.sampled_from([plain_pl, poland, israel,
                             BusinessCalendar(time_zone="Europe/Rome", country="IT"),
                             BusinessCalendar(time_zone="Europe/Kyiv", country="UA")])


def _in_dst_gap(calendar, t):
    local = t.astimezone(calendar.tz).replace(tzinfo=None)
    return local.replace(tzinfo=calendar.tz).astimezone(UTC).astimezone(
        calendar.tz).replace(tzinfo=None) != local


@settings(max_examples=300, deadline=None)
@given(calendars, moments, durations, durations)
def test_adding_a_then_b_equals_adding_a_plus_b(calendar, t, a, b):
    first = calendar.add_business(t, a)
    assume(a > timedelta(0) and not _in_dst_gap(calendar, first))
    assert calendar.add_business(first, b) == calendar.add_business(t, a + b)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, durations)
def test_results_never_go_backwards_and_land_on_business_time(calendar, t, d):
    result = calendar.add_business(t, d)
    assert result >= t
    local = result.astimezone(calendar.tz)
    at_midnight = (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    # A result is on a business day, or exactly the midnight that ends one.
    assert calendar.is_business_day(local.date()) or (
        at_midnight and calendar.is_business_day(local.date() - timedelta(days=1)))


@settings(max_examples=300, deadline=None)
@given(calendars, moments)
def test_not_before_business_is_never_on_a_non_business_day(calendar, t):
    result = calendar.not_before_business(t)
    assert result >= t
    assert calendar.is_business_day(result.astimezone(calendar.tz).date())
