"""Scanning, undoing and marking by hand: results, what is stored, what is audited, and
that nothing changes when the answer is no."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from postsale.checkin.messages import scan_message
from postsale.checkin.models import CheckIn, Method, ScanResult
from postsale.checkin.rules import OTHER_SLOT, TOO_EARLY, TOO_LATE
from postsale.checkin.selectors import active_use
from postsale.checkin.services import (
    Scan,
    checkin_scan,
    checkin_undo,
    entry_mark_unused,
    entry_mark_used,
)
from postsale.core import clock
from postsale.core.audit import SYSTEM, Actor
from postsale.core.errors import Conflict, Invalid, NotFound
from postsale.core.models import AuditEvent
from postsale.orders.models import EntryStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments.refunds import refund_process, refund_request
from postsale.payments.rules import RequestedBy
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member

GATE = Actor("api", "pst_gate0001")
WAW = ZoneInfo("Europe/Warsaw")


def scan(seller, secret, **kwargs):
    return checkin_scan(seller=seller, scan=Scan(secret=secret, **kwargs), actor=GATE)


def audits(entry, action):
    return AuditEvent.objects.filter(subject=f"entry:{entry.pk}", action=action)


class TestScan:
    def test_a_valid_entry_is_let_in_once_and_the_scan_is_stored(self, seller, entry):
        before = entry.sync_version
        checkin = scan(seller, entry.secret, gate="North", device="phone-1", nonce="n1")

        entry.refresh_from_db()
        assert checkin.result == ScanResult.OK and checkin.method == Method.SCAN
        assert (checkin.gate, checkin.device, checkin.actor) == ("North", "phone-1",
                                                                 "api:pst_gate0001")
        assert entry.status == EntryStatus.USED and entry.used_at == checkin.scanned_at
        assert entry.sync_version > before  # gate devices learn about it
        assert audits(entry, "entry.checked_in").get().data["gate"] == "North"
        assert "City tour" in scan_message(checkin, use=None, tz=WAW)

    def test_a_second_scan_is_already_used_with_when_and_where(self, seller, entry):
        first = scan(seller, entry.secret, gate="North")
        second = scan(seller, entry.secret, gate="South")

        assert second.result == ScanResult.ALREADY_USED
        assert CheckIn.objects.filter(entry=entry).count() == 2
        entry.refresh_from_db()
        assert entry.used_at == first.scanned_at  # the second scan changed nothing
        assert audits(entry, "entry.checked_in").count() == 1
        use = active_use(entry)
        assert use == first
        message = scan_message(second, use=use, tz=WAW)
        assert "North" in message
        assert first.scanned_at.astimezone(WAW).strftime("%H:%M") in message

    def test_an_unpaid_entry_is_not_paid(self, seller, tour):
        order = make_order(seller, tour.product, slot=tour, quantity=1)
        entry = order.entries.get()
        assert scan(seller, entry.secret).result == ScanResult.NOT_PAID
        entry.refresh_from_db()
        assert entry.status == EntryStatus.PENDING
        assert not audits(entry, "entry.checked_in").exists()

    def test_a_refunded_entry_is_refunded_or_void(self, seller, paid, entry):
        refund = refund_request(seller=seller, order_number=paid.number, by=RequestedBy.SELLER,
                                actor=SYSTEM, keys=[f"entry:{entry.number}"])
        refund_process(refund_id=refund.pk)
        assert scan(seller, entry.secret).result == ScanResult.REFUNDED_OR_VOID
        other = paid.entries.exclude(pk=entry.pk).get()
        assert scan(seller, other.secret).result == ScanResult.OK

    def test_unknown_codes_and_other_sellers_entries_are_unknown(self, seller, other_seller,
                                                                 tour):
        product = make_product(other_seller, kind=ProductKind.TIMED_ENTRY)
        theirs = make_order(other_seller, product, slot=make_slot(product, starts_in=timedelta(0)),
                            quantity=1, paid=True).entries.get()
        for code in (theirs.secret, "not-a-code", "x" * 500, ""):
            checkin = scan(seller, code)
            assert checkin.result == ScanResult.UNKNOWN and checkin.entry is None
            assert checkin.code == code[:100]
        theirs.refresh_from_db()
        assert theirs.status == EntryStatus.VALID

    def test_too_early_and_too_late_with_the_grace_window(self, seller, tour, settings):
        settings.POSTSALE_CHECKIN_EARLY_MINUTES = 30
        settings.POSTSALE_CHECKIN_LATE_MINUTES = 10
        entry = make_order(seller, tour.product, slot=tour, quantity=1, paid=True).entries.get()
        with time_machine.travel(tour.starts_at - timedelta(minutes=31), tick=False):
            early = scan(seller, entry.secret)
        with time_machine.travel(tour.ends_at + timedelta(minutes=11), tick=False):
            late = scan(seller, entry.secret)
        assert (early.result, early.reason) == (ScanResult.WRONG_TIME_SLOT, TOO_EARLY)
        assert (late.result, late.reason) == (ScanResult.WRONG_TIME_SLOT, TOO_LATE)
        opens = (tour.starts_at - timedelta(minutes=30)).astimezone(WAW).strftime("%H:%M")
        assert opens in scan_message(early, use=None, tz=WAW)
        entry.refresh_from_db()
        assert entry.status == EntryStatus.VALID
        with time_machine.travel(tour.starts_at - timedelta(minutes=29), tick=False):
            assert scan(seller, entry.secret).result == ScanResult.OK

    def test_a_gate_admitting_another_slot_refuses(self, seller, tour, entry):
        later = make_slot(tour.product, starts_in=timedelta(hours=5))
        checkin = scan(seller, entry.secret, time_slot_id=later.pk)
        assert (checkin.result, checkin.reason) == (ScanResult.WRONG_TIME_SLOT, OTHER_SLOT)
        assert scan(seller, entry.secret, time_slot_id=tour.pk).result == ScanResult.OK

    def test_open_entries_are_valid_any_day(self, seller):
        entry = make_order(seller, make_product(seller), quantity=1, paid=True).entries.get()
        with time_machine.travel(clock.now() + timedelta(days=200)):
            assert scan(seller, entry.secret).result == ScanResult.OK


class TestNonce:
    def test_a_repeat_with_the_nonce_replays_the_first_check_in(self, seller, entry):
        first = scan(seller, entry.secret, nonce="dev1-0001")
        again = scan(seller, entry.secret, nonce="dev1-0001")
        assert again.pk == first.pk and again.result == ScanResult.OK
        assert CheckIn.objects.count() == 1

    def test_a_nonce_reused_for_another_code_is_refused(self, seller, paid):
        one, two = paid.entries.order_by("pk")
        scan(seller, one.secret, nonce="dev1-0001")
        with pytest.raises(Invalid) as error:
            scan(seller, two.secret, nonce="dev1-0001")
        assert error.value.code == "nonce_reused"
        two.refresh_from_db()
        assert two.status == EntryStatus.VALID and CheckIn.objects.count() == 1

    def test_nonces_are_per_seller(self, seller, other_seller, entry):
        scan(other_seller, entry.secret, nonce="same")  # unknown there
        assert scan(seller, entry.secret, nonce="same").result == ScanResult.OK


class TestUndo:
    def test_undo_makes_the_entry_valid_again_with_an_audit_row(self, seller, entry):
        checkin = scan(seller, entry.secret)
        undone = checkin_undo(seller=seller, checkin_id=checkin.pk, actor=GATE)

        entry.refresh_from_db()
        assert undone.undone_at is not None and undone.undone_by == "api:pst_gate0001"
        assert entry.status == EntryStatus.VALID and entry.used_at is None
        assert audits(entry, "entry.checkin_undone").count() == 1
        assert scan(seller, entry.secret).result == ScanResult.OK  # may come in again

    def test_undo_twice_changes_nothing_more(self, seller, entry):
        checkin = scan(seller, entry.secret)
        checkin_undo(seller=seller, checkin_id=checkin.pk, actor=GATE)
        again = scan(seller, entry.secret)
        checkin_undo(seller=seller, checkin_id=checkin.pk, actor=GATE)
        entry.refresh_from_db()
        assert entry.status == EntryStatus.USED and active_use(entry) == again
        assert audits(entry, "entry.checkin_undone").count() == 1

    def test_only_a_successful_check_in_can_be_undone(self, seller, entry):
        scan(seller, entry.secret)
        duplicate = scan(seller, entry.secret)
        with pytest.raises(Conflict) as error:
            checkin_undo(seller=seller, checkin_id=duplicate.pk, actor=GATE)
        assert error.value.code == "not_undoable"
        entry.refresh_from_db()
        assert entry.status == EntryStatus.USED

    def test_another_sellers_check_in_is_not_found(self, seller, other_seller, entry):
        checkin = scan(seller, entry.secret)
        with pytest.raises(NotFound):
            checkin_undo(seller=other_seller, checkin_id=checkin.pk, actor=GATE)
        entry.refresh_from_db()
        assert entry.status == EntryStatus.USED

    def test_a_refunded_entry_stays_void_when_its_use_is_undone(self, seller, paid, entry):
        checkin = scan(seller, entry.secret)
        refund = refund_request(seller=seller, order_number=paid.number, by=RequestedBy.SELLER,
                                actor=SYSTEM, keys=[f"entry:{entry.number}"])
        refund_process(refund_id=refund.pk)
        checkin_undo(seller=seller, checkin_id=checkin.pk, actor=GATE)
        entry.refresh_from_db()
        assert entry.status == EntryStatus.VOID


class TestByHand:
    def test_staff_mark_used_and_unused(self, seller, entry):
        user = make_member(seller, role=Role.DOOR, username="dora").user
        staff = Actor("user", "dora", user)
        checkin = entry_mark_used(seller=seller, number=entry.number, actor=staff)
        assert (checkin.result, checkin.method, checkin.user) == (ScanResult.OK, Method.MANUAL,
                                                                  user)
        assert "marked by hand by dora" in scan_message(
            scan(seller, entry.secret), use=checkin, tz=WAW)

        entry = entry_mark_unused(seller=seller, number=entry.number, actor=staff)
        assert entry.status == EntryStatus.VALID
        checkin.refresh_from_db()
        assert checkin.undone_at is not None

    def test_staff_may_mark_outside_the_time_window(self, seller, entry, tour):
        with time_machine.travel(tour.ends_at + timedelta(hours=5)):
            assert entry_mark_used(seller=seller, number=entry.number,
                                   actor=SYSTEM).result == ScanResult.OK

    def test_marking_follows_the_other_rules(self, seller, tour, entry):
        unpaid = make_order(seller, tour.product, slot=tour, quantity=1).entries.get()
        assert entry_mark_used(seller=seller, number=unpaid.number,
                               actor=SYSTEM).result == ScanResult.NOT_PAID
        entry_mark_used(seller=seller, number=entry.number, actor=SYSTEM)
        assert entry_mark_used(seller=seller, number=entry.number,
                               actor=SYSTEM).result == ScanResult.ALREADY_USED

    def test_unused_entries_cannot_be_marked_unused(self, seller, entry):
        with pytest.raises(Conflict) as error:
            entry_mark_unused(seller=seller, number=entry.number, actor=SYSTEM)
        assert error.value.code == "entry_not_used"
        assert not CheckIn.objects.exists()

    def test_another_sellers_entry_is_not_found(self, other_seller, entry):
        with pytest.raises(NotFound):
            entry_mark_used(seller=other_seller, number=entry.number, actor=SYSTEM)
        with pytest.raises(NotFound):
            entry_mark_unused(seller=other_seller, number=entry.number, actor=SYSTEM)
        entry.refresh_from_db()
        assert entry.status == EntryStatus.VALID
