"""A gate device's download of a time slot's entries: everything first, then only what
changed — whichever service changed it."""

from datetime import timedelta

import pytest

from postsale.checkin.selectors import entries_changed
from postsale.checkin.services import Scan, checkin_scan, checkin_undo
from postsale.core import clock
from postsale.core.audit import SYSTEM
from postsale.core.errors import Invalid
from postsale.orders.models import Entry, EntryStatus
from postsale.orders.services import order_cancel, orders_expiry_sweep
from postsale.orders.tests.factories import make_order, make_slot, order_draft
from postsale.payments.exchanges import exchange_create
from postsale.payments.refunds import refund_process, refund_request
from postsale.payments.rules import RequestedBy
from postsale.payments.services import PaymentReport, order_submit, payment_record_event


def download(slot, cursor=None, limit=1000):
    page = entries_changed(slot=slot, cursor=cursor, limit=limit)
    return {e.number: e.status for e in page.entries}, page


def everything(slot, cursor=None, limit=1000):
    """Follow `more` to the end, as a device does."""
    seen, more = {}, True
    while more:
        changed, page = download(slot, cursor, limit)
        seen |= changed
        cursor, more = page.cursor, page.more
    return seen, cursor


@pytest.fixture
def unpaid(seller, tour):
    return make_order(seller, tour.product, slot=tour, quantity=1)


def test_the_first_download_has_every_entry_of_the_slot_and_no_other(seller, tour, paid,
                                                                     unpaid):
    other_slot = make_slot(tour.product, starts_in=timedelta(days=1))
    make_order(seller, tour.product, slot=other_slot, quantity=3, paid=True)
    seen, cursor = everything(tour)
    assert seen == {**{e.number: EntryStatus.VALID for e in paid.entries.all()},
                    unpaid.entries.get().number: EntryStatus.PENDING}
    assert download(tour, cursor)[0] == {}  # nothing changed since


def test_each_kind_of_change_reaches_the_next_download(seller, tour, paid, unpaid):
    _, cursor = everything(tour)
    one, two = paid.entries.order_by("pk")

    checkin = checkin_scan(seller=seller, scan=Scan(secret=one.secret), actor=SYSTEM)
    changed, page = download(tour, cursor)
    assert changed == {one.number: EntryStatus.USED}

    checkin_undo(seller=seller, checkin_id=checkin.pk, actor=SYSTEM)
    changed, page = download(tour, page.cursor)
    assert changed == {one.number: EntryStatus.VALID}

    payment_record_event(seller=seller, order_number=unpaid.number, actor=SYSTEM,
                         source="test", report=PaymentReport("manual", "tx-late", "confirmed"))
    changed, page = download(tour, page.cursor)
    assert changed == {unpaid.entries.get().number: EntryStatus.VALID}

    refund = refund_request(seller=seller, order_number=paid.number, by=RequestedBy.SELLER,
                            actor=SYSTEM, keys=[f"entry:{two.number}"])
    refund_process(refund_id=refund.pk)
    changed, page = download(tour, page.cursor)
    assert changed == {two.number: EntryStatus.VOID}

    new = make_order(seller, tour.product, slot=tour, quantity=2)  # sold at the door
    changed, page = download(tour, page.cursor)
    assert changed == {e.number: EntryStatus.PENDING for e in new.entries.all()}

    order_cancel(order=new, actor=SYSTEM)
    changed, page = download(tour, page.cursor)
    assert changed == {e.number: EntryStatus.VOID for e in new.entries.all()}
    assert download(tour, page.cursor)[0] == {}


def test_exchanges_and_expiry_reach_both_slots(seller, tour, paid):
    later = make_slot(tour.product, starts_in=timedelta(days=2))
    _, here = everything(tour)
    _, there = everything(later)
    entry = paid.entries.order_by("pk").first()
    exchange = exchange_create(seller=seller, order_number=paid.number,
                               entry_number=entry.number, time_slot_id=later.pk,
                               by=RequestedBy.SELLER, actor=SYSTEM)
    assert download(tour, here)[0] == {entry.number: EntryStatus.VOID}
    assert download(later, there)[0] == {exchange.new_entry.number: EntryStatus.VALID}

    _, there = everything(later)
    expiring, _ = order_submit(seller=seller, draft=order_draft(later.product, slot=later,
                                                                quantity=1),
                               actor=SYSTEM, source="api:test")
    assert expiring.expires_at is not None
    orders_expiry_sweep(now=clock.now() + timedelta(days=1))
    assert download(later, there)[0] == {expiring.entries.get().number: EntryStatus.VOID}


def test_pages_follow_each_other_without_gaps_or_repeats(seller, tour):
    for _ in range(4):
        make_order(seller, tour.product, slot=tour, quantity=3, paid=True)
    numbers, cursor, pages = [], None, 0
    while True:
        page = entries_changed(slot=tour, cursor=cursor, limit=5)
        numbers += [e.number for e in page.entries]
        cursor, pages = page.cursor, pages + 1
        if not page.more:
            break
    assert pages == 3 and len(numbers) == len(set(numbers)) == 12
    assert set(numbers) == set(Entry.objects.filter(time_slot=tour).values_list("number",
                                                                                flat=True))


@pytest.mark.parametrize("cursor", ["x", "1", "1.2.3", "-5.0", "1.-1", f"{2**63}.1", "١.٢"])
def test_a_cursor_we_did_not_issue_is_invalid(tour, cursor):
    with pytest.raises(Invalid) as error:
        entries_changed(slot=tour, cursor=cursor, limit=10)
    assert "cursor" in error.value.field_errors
