"""The scan rule as a table, and properties that must hold for any input."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postsale.checkin.models import ScanResult
from postsale.checkin.rules import (
    OTHER_SLOT,
    TOO_EARLY,
    TOO_LATE,
    EntryFacts,
    Grace,
    decide_scan,
)
from postsale.orders.models import EntryStatus

START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
END = START + timedelta(hours=2)
GRACE = Grace(early=timedelta(minutes=60), late=timedelta(minutes=30))


def facts(status=EntryStatus.VALID, slot=7):
    return EntryFacts(status=status, slot_id=slot, starts_at=START if slot else None,
                      ends_at=END if slot else None)


@pytest.mark.parametrize("entry, at, gate_slot, result, reason", [
    (None, START, None, ScanResult.UNKNOWN, ""),
    (facts(EntryStatus.VOID), START, None, ScanResult.REFUNDED_OR_VOID, ""),
    (facts(EntryStatus.PENDING), START, None, ScanResult.NOT_PAID, ""),
    (facts(), START, None, ScanResult.OK, ""),
    (facts(EntryStatus.USED), START, None, ScanResult.ALREADY_USED, ""),
    # The grace window: an hour before the start to half an hour after the end.
    (facts(), START - timedelta(minutes=60), None, ScanResult.OK, ""),
    (facts(), START - timedelta(minutes=61), None, ScanResult.WRONG_TIME_SLOT, TOO_EARLY),
    (facts(), END + timedelta(minutes=30), None, ScanResult.OK, ""),
    (facts(), END + timedelta(minutes=31), None, ScanResult.WRONG_TIME_SLOT, TOO_LATE),
    # A gate admitting one slot refuses entries of another, and open entries.
    (facts(), START, 7, ScanResult.OK, ""),
    (facts(), START, 8, ScanResult.WRONG_TIME_SLOT, OTHER_SLOT),
    (facts(slot=None), START, 8, ScanResult.WRONG_TIME_SLOT, OTHER_SLOT),
    # Open entries have no window.
    (facts(slot=None), START + timedelta(days=300), None, ScanResult.OK, ""),
    # Void and unpaid come before the time; the time comes before a second use.
    (facts(EntryStatus.VOID), START - timedelta(days=1), None, ScanResult.REFUNDED_OR_VOID, ""),
    (facts(EntryStatus.PENDING), START, 8, ScanResult.NOT_PAID, ""),
    (facts(EntryStatus.USED), END + timedelta(hours=1), None, ScanResult.WRONG_TIME_SLOT,
     TOO_LATE),
])
def test_scan_results(entry, at, gate_slot, result, reason):
    decision = decide_scan(entry, at=at, grace=GRACE, gate_slot_id=gate_slot)
    assert (decision.result, decision.reason) == (result, reason)
    assert decision.ok == (result == ScanResult.OK)


def test_without_grace_staff_marking_ignores_the_time():
    assert decide_scan(facts(), at=START + timedelta(days=3), grace=None).ok
    assert decide_scan(facts(EntryStatus.USED), at=START, grace=None).result == \
        ScanResult.ALREADY_USED


def test_the_window_is_reported_with_the_decision():
    decision = decide_scan(facts(), at=START - timedelta(hours=3), grace=GRACE)
    assert decision.opens_at == START - timedelta(hours=1)
    assert decision.closes_at == END + timedelta(minutes=30)


statuses = st.sampled_from(EntryStatus.values)
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.just(UTC))


@given(status=statuses, at=moments, slot=st.sampled_from([None, 7]),
       gate=st.sampled_from([None, 7, 8]))
def test_only_a_valid_entry_in_its_window_and_gate_is_ok(status, at, slot, gate):
    decision = decide_scan(facts(status, slot), at=at, grace=GRACE, gate_slot_id=gate)
    in_window = slot is None or START - GRACE.early <= at <= END + GRACE.late
    expected_ok = status == EntryStatus.VALID and in_window and gate in (None, slot)
    assert decision.ok == expected_ok
    assert decision.result in ScanResult.values


@given(status=statuses, at=moments)
def test_a_used_entry_is_never_ok_and_a_void_one_always_says_so(status, at):
    decision = decide_scan(facts(status), at=at, grace=GRACE)
    if status == EntryStatus.USED:
        assert decision.result in (ScanResult.ALREADY_USED, ScanResult.WRONG_TIME_SLOT)
    if status == EntryStatus.VOID:
        assert decision.result == ScanResult.REFUNDED_OR_VOID
