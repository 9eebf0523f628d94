"""The gate under concurrency, on PostgreSQL: many gates scanning one code, two devices
uploading overlapping scans at once, and a download while entries change."""

import threading
import traceback
from datetime import timedelta

import pytest
from django.db import connection, transaction

from postsale.checkin.models import CheckIn, ScanResult
from postsale.checkin.selectors import active_use, entries_changed
from postsale.checkin.services import Scan, checkin_batch, checkin_scan
from postsale.core import clock
from postsale.core.audit import Actor
from postsale.core.models import AuditEvent
from postsale.orders.models import EntryStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.sellers.tests.factories import make_seller

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
GATE = Actor("api", "pst_gates")


@pytest.fixture
def slot():
    seller = make_seller(slug="gates")
    product = make_product(seller, kind=ProductKind.TIMED_ENTRY, sku="concert")
    return make_slot(product, starts_in=timedelta(0), capacity=500)


def race(work, n: int) -> list[tuple[str, object]]:
    """`work(i)` in n threads released at once: ("ok", value) or ("error", traceback)."""
    barrier, results, lock = threading.Barrier(n), [], threading.Lock()

    def run(i):
        try:
            barrier.wait(timeout=20)
            outcome = ("ok", work(i))
        except Exception:
            outcome = ("error", traceback.format_exc())
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == n, "a thread hung"
    return results


def test_fifty_gates_scanning_one_code_at_once_let_one_person_in(slot):
    seller = slot.product.seller
    entry = make_order(seller, slot.product, slot=slot, quantity=1, paid=True).entries.get()

    results = race(lambda i: checkin_scan(seller=seller, actor=GATE, scan=Scan(
        secret=entry.secret, gate=f"Gate {i}", nonce=f"g{i}")).result, n=50)

    assert [r for r in results if r[0] == "error"] == []
    outcomes = sorted(value for _, value in results)
    assert outcomes == [ScanResult.ALREADY_USED] * 49 + [ScanResult.OK]
    assert CheckIn.objects.filter(entry=entry).count() == 50
    assert AuditEvent.objects.filter(subject=f"entry:{entry.pk}",
                                     action="entry.checked_in").count() == 1
    entry.refresh_from_db()
    assert entry.status == EntryStatus.USED
    assert active_use(entry).result == ScanResult.OK


def test_two_devices_uploading_overlapping_scans_at_once_agree(slot):
    seller = slot.product.seller
    entries = list(make_order(seller, slot.product, slot=slot, quantity=30, paid=True)
                   .entries.order_by("pk"))
    t0 = clock.now() - timedelta(minutes=20)
    # Each device scanned every entry; A was earlier on the odd ones, B on the even ones.
    scans = {device: [Scan(secret=e.secret, nonce=f"{device}{i}", device=device,
                           scanned_at=t0 + timedelta(seconds=2 * i + (i % 2 == (device == "B"))))
                      for i, e in enumerate(entries)] for device in "AB"}

    results = race(lambda i: len(checkin_batch(seller=seller, scans=scans["AB"[i]],
                                               actor=Actor("api", "AB"[i]))), n=2)

    assert [r for r in results if r[0] == "error"] == []
    for i, entry in enumerate(entries):
        winner = "A" if i % 2 else "B"
        assert active_use(entry).nonce == f"{winner}{i}", i
    assert CheckIn.objects.filter(result=ScanResult.OK).count() == 30
    assert CheckIn.objects.filter(result=ScanResult.ALREADY_USED).count() == 30


def test_a_download_waits_for_a_change_in_flight_instead_of_skipping_it(slot):
    seller = slot.product.seller
    one, two = make_order(seller, slot.product, slot=slot, quantity=2,
                          paid=True).entries.order_by("pk")
    cursor = entries_changed(slot=slot, cursor=None, limit=100).cursor
    scanned, release, page = threading.Event(), threading.Event(), {}

    def slow_gate():  # scans `one`, then takes its time to commit
        try:
            with transaction.atomic():
                checkin_scan(seller=seller, scan=Scan(secret=one.secret), actor=GATE)
                scanned.set()
                release.wait(20)
        finally:
            connection.close()

    def device():
        try:
            page["changes"] = entries_changed(slot=slot, cursor=cursor, limit=100)
        finally:
            connection.close()

    gate = threading.Thread(target=slow_gate)
    gate.start()
    assert scanned.wait(20)
    # Another gate is not held up by the one in flight, and commits a higher version.
    fast = threading.Thread(target=lambda: (checkin_scan(
        seller=seller, scan=Scan(secret=two.secret), actor=GATE), connection.close()))
    fast.start()
    fast.join(10)
    assert not fast.is_alive(), "a scan of another entry waited for the slow one"

    reader = threading.Thread(target=device)
    reader.start()
    reader.join(1)
    assert reader.is_alive(), "the download did not wait for the change in flight"
    release.set()
    gate.join(20)
    reader.join(20)
    assert {e.number for e in page["changes"].entries} == {one.number, two.number}
    later = entries_changed(slot=slot, cursor=page["changes"].cursor, limit=100)
    assert later.entries == []
