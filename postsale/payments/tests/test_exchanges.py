"""Exchanges (SPEC §4.4): capacity checked and taken atomically, the price difference
charged through a payment link or refunded, the old entry voided and the new one
delivered; the product's cut-off and fee bind customers."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Sum

from postsale.core import clock
from postsale.core.audit import SYSTEM
from postsale.core.errors import DomainError
from postsale.core.models import AuditEvent
from postsale.notifications.models import Notification
from postsale.orders.models import Entry, EntryStatus, Order, OrderStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments.exchange_rules import EntryFacts, SlotFacts, decide_exchange
from postsale.payments.exchanges import exchange_create, exchange_quote, exchanges_expiry_sweep
from postsale.payments.models import (
    Exchange,
    ExchangeStatus,
    Invoice,
    Payment,
    PaymentFlag,
    Refund,
    RefundItem,
    RefundStatus,
)
from postsale.payments.providers import PROVIDERS
from postsale.payments.providers.base import ProviderUnavailable
from postsale.payments.refunds import refund_request
from postsale.payments.rules import RequestedBy
from postsale.payments.services import PaymentReport, payment_record_event

CUSTOMER, SELLER = RequestedBy.CUSTOMER, RequestedBy.SELLER
DAY = timedelta(days=1)


class World:
    """A museum (50.00, fee 5.00, exchanges close 24 h before) with an evening pass
    (80.00) and a short visit (20.00) in its exchange group, an unrelated product, and a
    paid order of two museum entries for the morning slot."""

    def __init__(self, seller):
        timed = {"kind": ProductKind.TIMED_ENTRY, "exchange_group": "museum"}
        self.museum = make_product(seller, sku="museum", price=5000, exchange_fee=500,
                                   exchange_until_hours_before=24, **timed)
        evening = make_product(seller, sku="evening", price=8000, **timed)
        short = make_product(seller, sku="short", price=2000, **timed)
        other = make_product(seller, sku="zoo", price=5000, kind=ProductKind.TIMED_ENTRY)
        self.slots = {
            "morning": make_slot(self.museum, starts_in=7 * DAY),
            "later": make_slot(self.museum, starts_in=8 * DAY),
            "last_place": make_slot(self.museum, starts_in=9 * DAY, capacity=1),
            "started": make_slot(self.museum, starts_in=-timedelta(hours=1)),
            "evening": make_slot(evening, starts_in=8 * DAY),
            "short": make_slot(short, starts_in=8 * DAY),
            "zoo": make_slot(other, starts_in=8 * DAY),
        }
        self.order = make_order(seller, self.museum, quantity=2, slot=self.slots["morning"],
                                paid=True)
        self.entry = self.order.entries.first()

    def fill(self, name, email="someone.else@example.com"):
        return make_order(self.order.seller, self.slots[name].product, quantity=1,
                          slot=self.slots[name], paid=True, email=email)


@pytest.fixture
def world(seller):
    return World(seller)


def exchange(world, slot, by=CUSTOMER, *, entry=None, order=None, now=None):
    order = order or world.order
    return exchange_create(seller=order.seller, order_number=order.number,
                           entry_number=(entry or world.entry).number,
                           time_slot_id=world.slots[slot].pk, by=by, actor=SYSTEM, now=now)


def quote(world, slot, by=CUSTOMER, *, now=None):
    return exchange_quote(seller=world.order.seller, order_number=world.order.number,
                          entry_number=world.entry.number, time_slot_id=world.slots[slot].pk,
                          by=by, now=now)


def status(entry):
    return Entry.objects.get(pk=entry.pk).status


@pytest.mark.parametrize(("slot", "by", "entry_state", "hours_before", "allowed", "code",
                          "difference", "says"), [
    ("later", CUSTOMER, None, None, True, "", 500, "exchange fee of 5.00 PLN"),
    ("later", SELLER, None, None, True, "", 0, "Nothing more to pay"),
    ("evening", CUSTOMER, None, None, True, "", 3500, "You pay 35.00 PLN more"),
    ("short", CUSTOMER, None, None, True, "", -2500, "25.00 PLN will be refunded"),
    ("short", SELLER, None, None, True, "", -3000, "30.00 PLN will be refunded"),
    ("zoo", SELLER, None, None, False, "not_exchangeable", 0, "same product"),
    ("morning", CUSTOMER, None, None, False, "not_exchangeable", 500, "already for this time"),
    ("started", SELLER, None, None, False, "not_exchangeable", 0, "already started"),
    ("last_place", CUSTOMER, "full", None, False, "slot_full", 500, "This time is full"),
    ("later", CUSTOMER, "used", None, False, "not_exchangeable", 500, "already been used"),
    ("later", CUSTOMER, "void", None, False, "not_exchangeable", 500, "no longer valid"),
    ("later", CUSTOMER, None, 23, False, "not_exchangeable", 500, "until 24 hours before"),
    ("later", CUSTOMER, None, 25, True, "", 500, "exchange fee"),
    ("later", SELLER, None, 23, True, "", 0, "you still may"),
])
def test_exchange_quotes(world, slot, by, entry_state, hours_before, allowed, code,
                         difference, says):
    if entry_state == "full":
        world.fill("last_place")
    elif entry_state:
        Entry.objects.filter(pk=world.entry.pk).update(status=entry_state)
    now = None
    if hours_before is not None:
        now = world.slots["morning"].starts_at - timedelta(hours=hours_before)
    result = quote(world, slot, by, now=now)
    assert (result.allowed, result.code, result.difference) == (allowed, code, difference)
    assert says in " ".join(result.reasons)


def test_an_entry_of_an_unpaid_order_is_not_valid_yet(seller, world):
    unpaid = make_order(seller, world.museum, quantity=1, slot=world.slots["morning"],
                        email="late@example.com")
    with pytest.raises(DomainError) as refused:
        exchange(world, "later", order=unpaid, entry=unpaid.entries.get())
    assert refused.value.code == "not_exchangeable" and "not valid yet" in refused.value.message


def test_an_exchange_into_a_full_slot_is_refused_with_the_reason(world):
    world.fill("last_place")
    entries = Entry.objects.count()
    with pytest.raises(DomainError) as refused:
        exchange(world, "last_place", SELLER)
    assert (refused.value.status, refused.value.code) == (409, "slot_full")
    assert "This time is full. Choose another time." in refused.value.message
    assert Entry.objects.count() == entries and not Exchange.objects.exists()
    assert status(world.entry) == EntryStatus.VALID


def test_a_seller_moves_an_entry_to_another_time_at_no_cost(world):
    result = exchange(world, "later", SELLER)
    assert (result.status, result.difference, result.fee) == (ExchangeStatus.COMPLETED, 0, 0)
    old = Entry.objects.get(pk=world.entry.pk)
    assert old.status == EntryStatus.VOID and old.voided_at == result.completed_at
    new = result.new_entry
    new.refresh_from_db()
    assert (new.status, new.time_slot, new.line.unit_price) == (
        EntryStatus.VALID, world.slots["later"], 5000)
    order = Order.objects.get(pk=world.order.pk)
    assert order.total == 10000 and order.status == OrderStatus.PAID
    mail = Notification.objects.get(kind="exchange_completed")
    assert new.number in mail.body_text and f"Entry {old.number} is no longer valid" in \
        mail.body_text
    assert list(mail.inline_images) == [f"qr-{new.number}"]
    actions = AuditEvent.objects.filter(subject=f"order:{order.pk}").values_list("action",
                                                                                flat=True)
    assert {"exchange.created", "exchange.completed"} <= set(actions)
    assert quote(world, "later").places_left == 99  # the new entry holds its place


def pay(order, transaction_id, *, amount=None, reference=None, provider="manual"):
    return payment_record_event(
        seller=order.seller, order_number=order.number, source="test", actor=SYSTEM,
        report=PaymentReport(provider=provider, transaction_id=transaction_id,
                             status="confirmed", amount=amount, reference=reference))


def test_a_customer_pays_the_difference_by_transfer_then_gets_the_new_entry(world):
    result = exchange(world, "evening")
    assert (result.status, result.difference, result.fee) == (
        ExchangeStatus.AWAITING_PAYMENT, 3500, 500)
    assert result.payment_transaction_id.startswith("XCH-") and result.payment_link == ""
    assert status(result.new_entry) == EntryStatus.PENDING  # holds the place, not valid
    assert status(world.entry) == EntryStatus.VALID
    assert quote(world, "evening").places_left == 99
    ask = Notification.objects.get(kind="exchange_payment")
    assert "35.00 PLN" in ask.body_text and result.payment_transaction_id in ask.body_text

    payment = pay(world.order, result.payment_transaction_id).payment
    result.refresh_from_db()
    assert (result.status, result.payment, payment.amount) == (
        ExchangeStatus.COMPLETED, payment, 3500)
    assert (status(world.entry), status(result.new_entry)) == (EntryStatus.VOID,
                                                               EntryStatus.VALID)
    order = Order.objects.get(pk=world.order.pk)
    assert (order.status, order.total) == (OrderStatus.PAID, 13000)  # + 80.00 − 50.00
    assert Invoice.objects.filter(order=order, amount=3500).exists()
    assert not PaymentFlag.objects.exists()  # not a duplicate: it pays the exchange
    assert Notification.objects.filter(kind="exchange_completed").count() == 1


class LinkProvider:
    name, label = "linkpay", "Link pay"

    def __init__(self, fail=False):
        self.fail, self.links = fail, []

    def payment_link(self, *, order_number, reference, amount, currency, description,
                     config):
        if self.fail:
            raise ProviderUnavailable("timeout")
        self.links.append((order_number, reference, amount, currency))
        return f"https://pay.example/{reference}"


def test_the_difference_is_charged_through_the_original_providers_link(world, monkeypatch):
    provider = LinkProvider()
    monkeypatch.setitem(PROVIDERS, "linkpay", provider)
    Payment.objects.filter(order=world.order).update(provider="linkpay")
    result = exchange(world, "evening")
    reference = result.payment_transaction_id
    assert result.payment_link == f"https://pay.example/{reference}"
    assert provider.links == [(world.order.number, reference, 3500, "PLN")]
    assert result.payment_link in Notification.objects.get(kind="exchange_payment").body_text
    # The gateway reports its own transaction id and our reference.
    pay(world.order, "ch_123", reference=reference, amount=3500, provider="linkpay")
    result.refresh_from_db()
    assert result.status == ExchangeStatus.COMPLETED


def test_nothing_changes_when_the_provider_cannot_make_a_link(world, monkeypatch):
    monkeypatch.setitem(PROVIDERS, "linkpay", LinkProvider(fail=True))
    Payment.objects.filter(order=world.order).update(provider="linkpay")
    entries = Entry.objects.count()
    with pytest.raises(DomainError) as refused:
        exchange(world, "evening")
    assert (refused.value.status, refused.value.code) == (503, "provider_unavailable")
    assert Entry.objects.count() == entries and not Exchange.objects.exists()


@pytest.mark.parametrize(("by", "refunded", "fee"), [(SELLER, 3000, 0), (CUSTOMER, 2500, 500)])
def test_a_cheaper_time_is_refunded_and_money_never_exceeds_what_was_paid(
        world, django_capture_on_commit_callbacks, by, refunded, fee):
    with django_capture_on_commit_callbacks(execute=True):
        result = exchange(world, "short", by)
    assert result.status == ExchangeStatus.COMPLETED and result.difference == -refunded
    refund = Refund.objects.get(pk=result.refund_id)
    assert (refund.status, refund.amount, refund.fee) == (RefundStatus.SUCCEEDED, refunded, fee)
    item = RefundItem.objects.get(refund=refund)
    assert (item.entry_id, item.amount) == (world.entry.pk, refunded)
    assert (status(world.entry), status(result.new_entry)) == (EntryStatus.VOID,
                                                               EntryStatus.VALID)
    assert Payment.objects.get(order=world.order).refunded_amount == refunded
    assert {"exchange_completed", "refund_confirmation"} <= set(
        Notification.objects.values_list("kind", flat=True))

    # Refunding everything that is left returns exactly what was paid, never more.
    with django_capture_on_commit_callbacks(execute=True):
        rest = refund_request(seller=world.order.seller, order_number=world.order.number,
                              by=SELLER, actor=SYSTEM)
    assert rest.amount == 10000 - refunded - fee
    paid = Payment.objects.filter(order=world.order).aggregate(a=Sum("amount"))["a"]
    back = Refund.objects.filter(order=world.order).aggregate(a=Sum("amount"))["a"]
    assert paid == 10000 and back == 10000 - fee
    order = Order.objects.get(pk=world.order.pk)
    assert order.status == OrderStatus.REFUNDED
    assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VOID}


def test_customers_are_bound_by_the_cut_off_and_the_fee_sellers_are_not(world):
    now = world.slots["morning"].starts_at - timedelta(hours=23)
    with pytest.raises(DomainError) as refused:
        exchange(world, "later", CUSTOMER, now=now)
    assert refused.value.code == "not_exchangeable"
    assert "could be exchanged until 24 hours before it starts" in refused.value.message
    done = exchange(world, "later", SELLER, now=now)
    assert (done.status, done.fee, done.difference) == (ExchangeStatus.COMPLETED, 0, 0)


def test_an_entry_is_exchanged_once_at_a_time(world):
    exchange(world, "evening")
    with pytest.raises(DomainError) as refused:
        exchange(world, "later", SELLER)
    assert "already being exchanged" in refused.value.message


def test_an_entry_being_refunded_cannot_be_exchanged(world):
    refund_request(seller=world.order.seller, order_number=world.order.number, by=SELLER,
                   actor=SYSTEM, keys=[f"entry:{world.entry.number}"],
                   process_at=clock.now() + DAY)
    with pytest.raises(DomainError) as refused:
        exchange(world, "later", SELLER)
    assert "is being refunded" in refused.value.message


def test_an_unpaid_exchange_expires_and_releases_the_place(world):
    result = exchange(world, "evening")
    due = result.expires_at
    assert due == result.created_at + timedelta(hours=48)
    assert exchanges_expiry_sweep(now=due - timedelta(seconds=1)) == 0
    assert exchanges_expiry_sweep(now=due) == 1
    assert exchanges_expiry_sweep(now=due) == 0  # idempotent
    result.refresh_from_db()
    assert result.status == ExchangeStatus.CANCELED
    assert (status(world.entry), status(result.new_entry)) == (EntryStatus.VALID,
                                                               EntryStatus.VOID)
    assert quote(world, "evening").places_left == 100
    canceled = Notification.objects.get(kind="exchange_canceled")
    assert "was not paid in time" in canceled.body_text and "stays valid" in canceled.body_text

    # The transfer arrives after all: refunded automatically, nothing else changes.
    payment = pay(world.order, result.payment_transaction_id).payment
    refund = Refund.objects.get(parts__payment=payment)
    assert refund.amount == 3500 and refund.requested_by == "system"
    assert "expired" in PaymentFlag.objects.get(payment=payment).detail
    result.refresh_from_db()
    assert result.status == ExchangeStatus.CANCELED and status(world.entry) == EntryStatus.VALID


def test_an_exchange_waits_for_the_whole_difference(world):
    result = exchange(world, "evening")
    short = pay(world.order, result.payment_transaction_id, amount=1000).payment
    result.refresh_from_db()
    assert result.status == ExchangeStatus.AWAITING_PAYMENT
    assert Refund.objects.get(parts__payment=short).amount == 1000
    assert "short" in PaymentFlag.objects.get(payment=short).detail


def test_a_second_payment_of_a_completed_exchange_is_flagged(world):
    result = exchange(world, "evening")
    pay(world.order, result.payment_transaction_id)
    again = pay(world.order, "BANK-2", reference=result.payment_transaction_id).payment
    flag = PaymentFlag.objects.get(payment=again)
    assert flag.kind == PaymentFlag.Kind.DUPLICATE and not Refund.objects.exists()


def test_the_quote_is_refused_for_full_and_other_reasons_at_once():
    """A pure rule: a full slot of another product is not exchangeable, and both reasons
    are given."""
    start = datetime(2026, 6, 1, 10, tzinfo=UTC)
    entry = EntryFacts(label="TID-1 Museum", status=EntryStatus.VALID, product_id=1, group="",
                       slot_id=1, slot_start=start, price=5000, currency="PLN",
                       until_hours_before=None, fee=0)
    slot = SlotFacts(slot_id=2, product_id=2, group="", starts_at=start + DAY, price=5000,
                     currency="PLN", places_left=0)
    result = decide_exchange(entry, slot, by=SELLER, now=start - DAY)
    assert (result.allowed, result.code, len(result.reasons)) == (False, "not_exchangeable", 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_exchanges_into_the_last_place_at_once_exactly_one_succeeds(seller):
    world = World(seller)
    other = make_order(seller, world.museum, quantity=1, slot=world.slots["morning"],
                       paid=True, email="jan.nowak@example.com")
    start, outcomes = threading.Barrier(2), []

    def move(order):
        try:
            start.wait(10)
            exchange(world, "last_place", SELLER, order=order, entry=order.entries.first())
            outcomes.append("done")
        except DomainError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # reported by the test, not a thread's traceback
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(o,)) for o in (world.order, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["done", "slot_full"]
    taken = Entry.objects.filter(time_slot=world.slots["last_place"]).exclude(
        status=EntryStatus.VOID)
    assert taken.count() == 1
