"""Offline uploads: the earliest scan of an entry wins whichever device uploads first;
repeats replay; a bad upload stores nothing."""

from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postsale.checkin.models import CheckIn, Method, ScanResult
from postsale.checkin.selectors import active_use
from postsale.checkin.services import Scan, checkin_batch, checkin_scan
from postsale.core import clock
from postsale.core.audit import Actor
from postsale.core.errors import Invalid
from postsale.core.models import AuditEvent
from postsale.orders.models import Entry, EntryStatus
from postsale.orders.tests.factories import make_order

DEVICE_A, DEVICE_B = Actor("api", "pst_deviceA"), Actor("api", "pst_deviceB")


@pytest.fixture
def entries(seller, tour):
    return list(make_order(seller, tour.product, slot=tour, quantity=4, paid=True)
                .entries.order_by("pk"))


def offline(entry_or_code, nonce, at, device="A"):
    secret = entry_or_code if isinstance(entry_or_code, str) else entry_or_code.secret
    return Scan(secret=secret, nonce=nonce, scanned_at=at, device=f"phone-{device}",
                gate=f"Gate {device}")


def upload(seller, scans, actor):
    return checkin_batch(seller=seller, scans=scans, actor=actor)


def outcome(entries):
    """What a run ends with: each scan's result, each entry's state."""
    results = dict(CheckIn.objects.values_list("nonce", "result"))
    states = {e.number: (e.status, e.used_at) for e in Entry.objects.filter(
        pk__in=[e.pk for e in entries])}
    uses = {e.number: getattr(active_use(e), "nonce", None) for e in entries}
    return results, states, uses


def two_devices(entries, t0):
    e1, e2, e3, _ = entries
    a = [offline(e1, "a1", t0 + timedelta(seconds=5)),
         offline(e2, "a2", t0 + timedelta(seconds=10)),
         offline("forged-code", "a3", t0 + timedelta(seconds=20))]
    b = [offline(e1, "b1", t0 + timedelta(seconds=3), "B"),
         offline(e2, "b2", t0 + timedelta(seconds=30), "B"),
         offline(e3, "b3", t0 + timedelta(seconds=40), "B"),
         offline(e1, "b4", t0 + timedelta(seconds=60), "B")]
    return a, b


@pytest.mark.parametrize("first", ["A", "B"])
def test_overlapping_uploads_give_one_outcome_whichever_arrives_first(seller, entries, first):
    t0 = clock.now() - timedelta(minutes=10)
    a, b = two_devices(entries, t0)
    if first == "A":
        upload(seller, a, DEVICE_A)
        upload(seller, b, DEVICE_B)
    else:
        upload(seller, b, DEVICE_B)
        upload(seller, a, DEVICE_A)

    results, states, uses = outcome(entries)
    assert results == {"a1": "already_used", "b1": "ok", "b4": "already_used",
                       "a2": "ok", "b2": "already_used", "b3": "ok", "a3": "unknown"}
    e1, e2, e3, e4 = entries
    assert states[e1.number] == (EntryStatus.USED, t0 + timedelta(seconds=3))
    assert states[e2.number] == (EntryStatus.USED, t0 + timedelta(seconds=10))
    assert states[e4.number] == (EntryStatus.VALID, None)
    assert uses == {e1.number: "b1", e2.number: "a2", e3.number: "b3", e4.number: None}
    # An earlier scan arriving second is audited: e1 (A first) or e2 (B first).
    superseded = AuditEvent.objects.get(action="entry.checkin_superseded")
    assert superseded.subject == f"entry:{(e1 if first == 'A' else e2).pk}"


def test_an_online_check_in_loses_to_an_earlier_offline_scan(seller, entries):
    e1 = entries[0]
    online = checkin_scan(seller=seller, scan=Scan(secret=e1.secret, gate="Main"),
                          actor=DEVICE_A)
    earlier = online.scanned_at - timedelta(minutes=2)
    (offline_scan,) = upload(seller, [offline(e1, "b1", earlier, "B")], DEVICE_B)

    online.refresh_from_db()
    e1.refresh_from_db()
    assert offline_scan.result == ScanResult.OK and offline_scan.method == Method.OFFLINE
    assert online.result == ScanResult.ALREADY_USED
    assert e1.used_at == earlier and active_use(e1) == offline_scan


def test_a_second_upload_replays_and_a_reused_nonce_stores_nothing(seller, entries):
    t0 = clock.now() - timedelta(minutes=5)
    first = upload(seller, [offline(entries[0], "a1", t0), offline(entries[1], "a2", t0)],
                   DEVICE_A)
    again = upload(seller, [offline(entries[0], "a1", t0), offline(entries[1], "a2", t0)],
                   DEVICE_A)
    assert [c.pk for c in again] == [c.pk for c in first]
    assert CheckIn.objects.count() == 2

    with pytest.raises(Invalid) as error:
        upload(seller, [offline(entries[2], "a9", t0), offline(entries[3], "a1", t0)], DEVICE_A)
    assert error.value.code == "nonce_reused"
    assert set(error.value.field_errors) == {"scans[1].nonce"}
    assert CheckIn.objects.count() == 2
    assert Entry.objects.get(pk=entries[2].pk).status == EntryStatus.VALID


@pytest.mark.parametrize("scans, field", [
    ([], "scans"),
    ([Scan(secret="x", nonce=None, scanned_at=clock.now())], "scans[0]"),
    ([Scan(secret="x", nonce="n", scanned_at=None)], "scans[0]"),
    ([Scan(secret="x", nonce="n", scanned_at=clock.now()),
      Scan(secret="y", nonce="n", scanned_at=clock.now())], "scans[1].nonce"),
])
def test_bad_uploads_are_refused_whole(seller, entries, scans, field):
    with pytest.raises(Invalid) as error:
        upload(seller, scans, DEVICE_A)
    assert field in error.value.field_errors
    assert not CheckIn.objects.exists()


def test_the_same_scan_twice_in_one_upload_is_one_check_in(seller, entries):
    t0 = clock.now() - timedelta(minutes=1)
    scan = offline(entries[0], "a1", t0)
    first, second = upload(seller, [scan, scan], DEVICE_A)
    assert first.pk == second.pk and CheckIn.objects.count() == 1


def test_a_device_clock_ahead_is_taken_as_now(seller, entries):
    future = clock.now() + timedelta(hours=3)
    (checkin,) = upload(seller, [offline(entries[0], "a1", future)], DEVICE_A)
    assert checkin.scanned_at <= clock.now() and checkin.result == ScanResult.OK


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_split_of_scans_between_two_devices_ends_the_same_either_way(seller, entries,
                                                                         data):
    t0 = clock.now() - timedelta(minutes=30)
    picks = data.draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 600),
                                         st.sampled_from("AB")), min_size=1, max_size=10))
    a = [offline(entries[e], f"A{i}", t0 + timedelta(seconds=s), "A")
         for i, (e, s, d) in enumerate(picks) if d == "A"]
    b = [offline(entries[e], f"B{i}", t0 + timedelta(seconds=s), "B")
         for i, (e, s, d) in enumerate(picks) if d == "B"]

    def run(uploads):
        with transaction.atomic():
            for scans, actor in uploads:
                if scans:
                    upload(seller, scans, actor)
            result = outcome(entries)
            transaction.set_rollback(True)
        return result

    assert run([(a, DEVICE_A), (b, DEVICE_B)]) == run([(b, DEVICE_B), (a, DEVICE_A)])
    # Exactly one scan of each scanned entry let somebody in: the earliest.
    results, _, uses = run([(a, DEVICE_A), (b, DEVICE_B)])
    scanned = {entries[e].number for e, _, _ in picks}
    assert sum(1 for r in results.values() if r == "ok") == len(scanned)
    for number in scanned:
        mine = [(s.scanned_at, s.nonce) for s in a + b
                if s.secret == next(e.secret for e in entries if e.number == number)]
        assert uses[number] == min(mine)[1]
