"""The countdown to a ticket's next automatic step, in words: a pure function of the step,
its due time, now and the seller's time zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from postsale.backoffice.countdown import countdown, in_words

WAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Warsaw


@pytest.mark.parametrize(("delta", "words"), [
    (timedelta(seconds=10), "in less than a minute"),
    (timedelta(seconds=29), "in less than a minute"),
    (timedelta(seconds=30), "in 1 minute"),
    (timedelta(minutes=1), "in 1 minute"),
    (timedelta(minutes=4, seconds=58), "in 5 minutes"),  # the page loads just after opening
    (timedelta(minutes=5), "in 5 minutes"),
    (timedelta(minutes=59, seconds=29), "in 59 minutes"),
    (timedelta(minutes=59, seconds=30), "in 1 h"),
    (timedelta(hours=1, minutes=29), "in 1 h"),
    (timedelta(hours=1, minutes=30), "in 2 h"),  # halves round up, not to even
    (timedelta(hours=13, minutes=10), "in 13 h"),
    (timedelta(hours=47, minutes=29), "in 47 h"),
    (timedelta(hours=47, minutes=31), "in 2 days"),
    (timedelta(days=2), "in 2 days"),
    (timedelta(days=6, hours=11), "in 6 days"),
    (timedelta(days=6, hours=12), "in 7 days"),
])
def test_durations_in_words(delta, words):
    assert in_words(delta) == words


@pytest.mark.parametrize(("ticket_type", "step", "due_in", "text", "overdue"), [
    ("refund", "process", timedelta(minutes=5), "Refund in 5 minutes unless saved", False),
    ("refund", "process", timedelta(hours=13), "Refund in 13 h unless saved", False),
    ("refund", "process", timedelta(0), "Refund due now", True),
    ("refund", "process", -timedelta(minutes=3), "Refund due now", True),
    ("cancellation", "process", timedelta(hours=24),
     "Cancellation in 24 h unless saved", False),
    ("cancellation", "process", -timedelta(seconds=1), "Cancellation due now", True),
    ("support", "warn", timedelta(hours=48), "Inactivity warning in 2 days", False),
    ("return", "warn", timedelta(days=7), "Inactivity warning in 7 days", False),
    ("support", "warn", -timedelta(hours=1), "Inactivity warning due now", True),
    # 23:00 UTC is midnight in Warsaw: the day the seller sees is the 24th, not the 23rd.
    ("support", "close", datetime(2026, 11, 23, 23, 0, tzinfo=UTC) - NOW,
     "Closes for inactivity on Tue 24 Nov, 00:00", False),
    # Past New Year the year is spelled out.
    ("exchange", "close", datetime(2027, 1, 4, 9, 0, tzinfo=UTC) - NOW,
     "Closes for inactivity on Mon 4 Jan 2027, 10:00", False),
    ("support", "close", -timedelta(minutes=1), "Closes for inactivity now", True),
])
def test_next_step_in_words(ticket_type, step, due_in, text, overdue):
    result = countdown(ticket_type=ticket_type, step=step, due_at=NOW + due_in, now=NOW, tz=WAW)
    assert result.text == text
    assert result.overdue is overdue
    assert result.step == step and result.due_at == NOW + due_in


def test_close_date_follows_the_sellers_time_zone():
    due = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    tokyo = countdown(ticket_type="support", step="close", due_at=due, now=NOW,
                      tz=ZoneInfo("Asia/Tokyo"))
    assert tokyo.text == "Closes for inactivity on Tue 24 Nov, 08:00"
    new_york = countdown(ticket_type="support", step="close", due_at=due, now=NOW,
                         tz=ZoneInfo("America/New_York"))
    assert new_york.text == "Closes for inactivity on Mon 23 Nov, 18:00"


def test_close_date_keeps_the_local_hour_across_a_dst_change():
    # Warsaw leaves summer time on 25 Oct 2026: 22:00 UTC is midnight in winter.
    now = datetime(2026, 10, 20, 10, 0, tzinfo=UTC)
    due = datetime(2026, 10, 26, 23, 0, tzinfo=UTC)
    assert countdown(ticket_type="support", step="close", due_at=due, now=now,
                     tz=WAW).text == "Closes for inactivity on Tue 27 Oct, 00:00"


@pytest.mark.parametrize(("step", "due_at"), [("", None), ("", NOW), ("warn", None)])
def test_no_countdown_without_a_step_and_a_due_time(step, due_at):
    assert countdown(ticket_type="support", step=step, due_at=due_at, now=NOW, tz=WAW) is None


def test_a_request_about_to_be_processed_stands_out():
    soon = countdown(ticket_type="refund", step="process", due_at=NOW + timedelta(hours=3),
                     now=NOW, tz=WAW)
    warning = countdown(ticket_type="support", step="warn", due_at=NOW + timedelta(days=2),
                        now=NOW, tz=WAW)
    assert soon.tone == "warn" and warning.tone == "info"
