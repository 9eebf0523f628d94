"""The timer rules (SPEC §3, §4.1, §4.2) as pure functions: when a request is processed,
and which automatic step comes next, across weekends, DST changes and public holidays."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postsale.core.calendar import BusinessCalendar
from postsale.tickets.rules import Facts, Timer, next_timer, process_time

WAW = ZoneInfo("Europe/Warsaw")
JLM = ZoneInfo("Asia/Jerusalem")
# A Polish seller: Saturday+Sunday weekend and Polish public holidays (11 November 2026 is
# a Wednesday); the same seller with holidays not pausing the clock; an Israeli seller
# (Friday+Saturday weekend, so a Sunday DST change falls on a business day).
poland = BusinessCalendar(time_zone="Europe/Warsaw", country="PL")
poland_no_pause = BusinessCalendar(time_zone="Europe/Warsaw", country="PL",
                                   pause_on_holidays=False)
israel = BusinessCalendar(time_zone="Asia/Jerusalem", country="IL")


def waw(*args):
    return datetime(*args, tzinfo=WAW)


def utc(t: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo compare and subtract by their local wall time
    # (Python ignores the offsets then); convert to compare instants.
    return t.astimezone(UTC)


def customer_request(opened, calendar=poland):
    return process_time(asked_at=opened, by="customer", abuse_flagged=False, calendar=calendar)


def facts(type="support", *, by="customer", at, warnings=0, closed=False, process_at=None):
    return Facts(type=type, closed=closed, last_actor=by, last_public_at=at,
                 warnings_sent=warnings, process_at=process_at)


# --- refund and cancellation requests (SPEC §4.1) -------------------------------------

@pytest.mark.parametrize(("opened", "processed"), [
    # SPEC §3 examples; 2026-11-20 is a Friday, no holiday nearby.
    (waw(2026, 11, 20, 15), waw(2026, 11, 23, 15)),  # Friday 15:00 → Monday 15:00
    (waw(2026, 11, 21, 10), waw(2026, 11, 24, 0)),  # Saturday 10:00 → Tuesday 00:00
    (waw(2026, 11, 18, 9), waw(2026, 11, 19, 9)),  # Wednesday 09:00 → Thursday 09:00
    # The DST change of Sunday 2026-10-25 (CEST → CET) keeps the local hour.
    (waw(2026, 10, 23, 15), waw(2026, 10, 26, 15)),  # Friday 15:00 CEST → Monday 15:00 CET
    (waw(2026, 10, 24, 10), waw(2026, 10, 27, 0)),  # Saturday → Tuesday 00:00 CET
    # Independence Day, Wednesday 2026-11-11, pauses the clock.
    (waw(2026, 11, 10, 15), waw(2026, 11, 12, 15)),  # Tuesday 15:00 → Thursday 15:00
    (waw(2026, 11, 11, 10), waw(2026, 11, 13, 0)),  # on the holiday → Friday 00:00
])
def test_customer_request_is_processed_after_24_business_hours(opened, processed):
    assert customer_request(opened) == processed


def test_across_the_dst_change_the_wall_clock_counts_not_elapsed_time():
    processed = customer_request(waw(2026, 10, 23, 15))
    assert processed.utcoffset() == timedelta(hours=1)
    # 72 business-free hours plus 24, and the hour the clocks went back: 73 real hours.
    assert utc(processed) - utc(waw(2026, 10, 23, 15)) == timedelta(hours=73)


def test_a_sunday_dst_change_on_a_business_day_keeps_the_local_hour():
    # In Israel Sunday is a business day; clocks go back at 02:00 on 2026-10-25.
    opened = datetime(2026, 10, 25, 0, 30, tzinfo=JLM)
    processed = customer_request(opened, israel)
    assert processed == datetime(2026, 10, 26, 0, 30, tzinfo=JLM)
    assert utc(processed) - utc(opened) == timedelta(hours=25)


def test_holidays_count_when_the_seller_turns_the_pause_off():
    assert customer_request(waw(2026, 11, 10, 15), poland_no_pause) == waw(2026, 11, 11, 15)


@pytest.mark.parametrize("opened", [waw(2026, 11, 21, 10), waw(2026, 11, 11, 23, 58),
                                    waw(2026, 10, 25, 2, 30)])
def test_seller_request_is_processed_5_wall_clock_minutes_later_any_day(opened):
    processed = process_time(asked_at=opened, by="seller", abuse_flagged=False,
                             calendar=poland)
    assert processed - opened == timedelta(minutes=5)


@pytest.mark.parametrize("by", ["customer", "seller"])
def test_abuse_flagged_seller_requests_are_processed_at_once(by):
    opened = waw(2026, 11, 21, 10)  # a Saturday: not even the weekend waits
    assert process_time(asked_at=opened, by=by, abuse_flagged=True, calendar=poland) == opened


@pytest.mark.parametrize("type", ["refund", "cancellation"])
def test_request_timer_is_its_processing_time_whoever_wrote_last(type):
    due = waw(2026, 11, 23, 15)
    for by, at in [("customer", waw(2026, 11, 20, 15)), ("seller", waw(2026, 11, 23, 10)),
                   ("customer", waw(2026, 11, 23, 14, 59))]:
        # Replies move last_public_at and the last actor; the request's time stays.
        assert next_timer(facts(type, by=by, at=at, process_at=due), poland) == Timer(
            "process", due)


def test_request_without_processing_time_or_closed_ticket_has_no_timer():
    at = waw(2026, 11, 20, 15)
    assert next_timer(facts("refund", at=at), poland) is None  # dropped or failed
    assert next_timer(facts("support", at=at, closed=True), poland) is None
    assert next_timer(facts("refund", at=at, closed=True, process_at=at), poland) is None


# --- inactivity, waiting on the seller (SPEC §4.2) ------------------------------------

def seller_steps(type, at, calendar=poland):
    """The steps of a ticket nobody answers, warning after warning."""
    return [next_timer(facts(type, at=at, warnings=n), calendar) for n in range(3)]


def test_waiting_on_seller_warns_at_48h_and_96h_and_closes_at_144h():
    at = waw(2026, 11, 16, 10)  # Monday; +144 h is Sunday 10:00 → closed Monday 00:00
    assert seller_steps("support", at) == [
        Timer("warn", waw(2026, 11, 18, 10)), Timer("warn", waw(2026, 11, 20, 10)),
        Timer("close", waw(2026, 11, 23, 0))]


@pytest.mark.parametrize(("at", "closed"), [
    (waw(2026, 11, 17, 10), waw(2026, 11, 23, 10)),  # Tuesday → next Monday, on time
    (waw(2026, 11, 15, 10), waw(2026, 11, 23, 0)),  # +144 h is a Saturday → Monday 00:00
    (waw(2026, 11, 13, 16), waw(2026, 11, 19, 16)),  # weekends in between do not matter
])
def test_waiting_on_seller_is_never_closed_on_a_non_business_day(at, closed):
    assert seller_steps("support", at)[2] == Timer("close", closed)


def test_waiting_on_seller_keeps_the_local_hour_across_the_dst_change():
    at = waw(2026, 10, 23, 15)  # Friday, CEST
    warn1, warn2, close = seller_steps("support", at)
    assert warn1 == Timer("warn", waw(2026, 10, 25, 15))  # Sunday, CET: 49 real hours
    assert utc(warn1.due_at) - utc(at) == timedelta(hours=49)
    assert warn2 == Timer("warn", waw(2026, 10, 27, 15))
    assert close == Timer("close", waw(2026, 10, 29, 15))


def test_waiting_on_seller_close_moves_past_a_public_holiday_unless_turned_off():
    at = waw(2026, 11, 5, 9)  # Thursday; +144 h is Wednesday 11 November, 09:00
    assert seller_steps("support", at)[2] == Timer("close", waw(2026, 11, 12, 0))
    assert seller_steps("support", at, poland_no_pause)[2] == Timer(
        "close", waw(2026, 11, 11, 9))


@pytest.mark.parametrize("type", ["return", "exchange"])
def test_returns_and_exchanges_waiting_on_seller_are_warned_but_never_closed(type):
    at = waw(2026, 11, 16, 10)
    assert seller_steps(type, at) == [
        Timer("warn", waw(2026, 11, 18, 10)), Timer("warn", waw(2026, 11, 20, 10)), None]


# --- inactivity, waiting on the customer ----------------------------------------------

@pytest.mark.parametrize("type", ["support", "return", "exchange"])
def test_waiting_on_customer_warns_after_7_and_closes_after_14_business_days(type):
    at = waw(2026, 11, 20, 15)  # Friday
    assert next_timer(facts(type, by="seller", at=at), poland) == Timer(
        "warn", waw(2026, 12, 1, 15))
    assert next_timer(facts(type, by="seller", at=at, warnings=1), poland) == Timer(
        "close", waw(2026, 12, 10, 15))


def test_waiting_on_customer_counts_no_holiday_unless_turned_off():
    at = waw(2026, 11, 9, 12)  # Monday; 11 November is the Wednesday after
    assert next_timer(facts(by="seller", at=at), poland).due_at == waw(2026, 11, 19, 12)
    assert next_timer(facts(by="seller", at=at), poland_no_pause).due_at == waw(
        2026, 11, 18, 12)


def test_waiting_on_customer_across_the_dst_change_keeps_the_local_hour():
    at = waw(2026, 10, 20, 11)  # Tuesday, CEST
    warn = next_timer(facts(by="seller", at=at), poland)
    assert warn.due_at == waw(2026, 10, 29, 11) and warn.due_at.utcoffset() == timedelta(hours=1)


# --- properties -------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31),
                       timezones=st.just(UTC))
calendars = st.sampled_from([poland, poland_no_pause, israel,
                             BusinessCalendar(time_zone="Europe/Rome", country="IT"),
                             BusinessCalendar(time_zone="America/New_York", country="US")])
types = st.sampled_from(["support", "return", "exchange"])


@settings(max_examples=300, deadline=None)
@given(calendars, moments, st.sampled_from(["customer", "seller"]), st.booleans())
def test_processing_is_never_before_the_request(calendar, asked, by, flagged):
    due = process_time(asked_at=asked, by=by, abuse_flagged=flagged, calendar=calendar)
    assert utc(due) >= asked
    if by == "customer" and not flagged:
        # At least a day later, and at most a day plus the longest pause (2 weeks here).
        assert timedelta(hours=23) <= utc(due) - asked <= timedelta(days=15)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, types, st.sampled_from(["customer", "seller"]),
       st.integers(0, 2))
def test_inactivity_steps_come_after_the_last_action_and_never_close_on_a_day_off(
        calendar, at, type, by, warnings):
    timer = next_timer(facts(type, by=by, at=at, warnings=warnings), calendar)
    if timer is None:  # only a return or exchange waiting on the seller runs out of steps
        assert type != "support" and by == "customer" and warnings == 2
        return
    assert utc(timer.due_at) > at
    if timer.step == "close" and by == "customer":
        assert calendar.is_business_day(timer.due_at.astimezone(calendar.tz).date())


@settings(max_examples=300, deadline=None)
@given(calendars, moments, types, st.sampled_from(["customer", "seller"]))
def test_each_warning_comes_before_the_next_step(calendar, at, type, by):
    steps = [next_timer(facts(type, by=by, at=at, warnings=n), calendar) for n in range(3)]
    due = [utc(s.due_at) for s in steps if s is not None]
    if by == "seller":  # waiting on the customer: one warning, then the close
        due = due[:2]
    assert due == sorted(due) and len(set(due)) == len(due)
