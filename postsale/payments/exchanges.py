"""Exchanges (SPEC §4.4): an entry moves to another time slot of the same product, or of a
product in the same exchange group (Product.exchange_group).

Capacity is checked and taken atomically: under the order's row lock, both time slots are
locked in id order (the order creation and late activation lock them the same way) and
the new entry is created before the locks are released, so two exchanges into the last
place cannot both succeed.

Money. The new entry gets its own OrderLine (quantity 1; the price paid when the product
stays the same, else the other product's price); the old entry stays on its line, void.
The difference is new price − old price, plus the product's fee for customers:
- ≤ 0: done at once. A negative difference is refunded through the refund machinery: a
  Refund of the old entry (RefundItem on its line and entry, amount = the difference,
  fee = the exchange fee kept), processed by refunds.refund_process like any other.
- > 0: the new entry is created pending, holding its place, and the customer pays through
  a payment link of the original payment's provider (manual, or a provider without links:
  a bank transfer with the reference XCH-… in its title). A payment reported with that
  reference completes the exchange (payments.services._record); at `expires_at` the sweep
  cancels an unpaid exchange and releases the place.

Order.total stays what the order's items were charged, so that its refunds (amount + kept
fee) add up to it when everything went back: a charged difference raises it by the price
change (new − old; the fee is the seller's and not refundable), a refunded difference
leaves it as it is (the exchange's refund stands for the price drop), and a drop the fee
uses up exactly lowers it by the drop."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from postsale.core import clock
from postsale.core.audit import SYSTEM, Actor, audit
from postsale.core.errors import Conflict, DomainError, NotFound
from postsale.core.money import format_money
from postsale.core.numbers import new_secret, public_number
from postsale.orders.models import Entry, EntryStatus, Order, OrderLine, TimeSlot
from postsale.orders.services import order_lock, places_taken, time_slots_lock
from postsale.orders.sync import entries_update
from postsale.payments import exchange_emails as emails
from postsale.payments.exchange_rules import (
    SLOT_FULL,
    EntryFacts,
    Quote,
    SlotFacts,
    decide_exchange,
)
from postsale.payments.models import (
    Exchange,
    ExchangeStatus,
    Payment,
    PaymentFlag,
    PaymentStatus,
    ProviderAccount,
    RefundItem,
)
from postsale.payments.payment_refunds import MoneyItem, refund_amount_create
from postsale.payments.providers import PROVIDERS
from postsale.payments.providers.base import ProviderRejected, ProviderUnavailable
from postsale.payments.rules import RequestedBy
from postsale.payments.settlement import (
    invoice_issue,
    payment_flag_add,
    refund_payment_left,
)
from postsale.sellers.models import Seller

log = logging.getLogger(__name__)


def payment_window() -> timedelta:
    return timedelta(hours=settings.POSTSALE_EXCHANGE_PAYMENT_HOURS)


def exchange_quote(*, seller: Seller, order_number: str, entry_number: str,
                   time_slot_id: int, by: RequestedBy, now: datetime | None = None) -> Quote:
    """Whether the entry may move to the time slot now, the price difference (fee
    included), places left, and the reasons in the customer's words. Reads only."""
    now = now or clock.now()
    order = Order.objects.filter(seller=seller, number=order_number).first()
    if order is None:
        raise NotFound(f"No order {order_number} for this seller.", code="order_not_found")
    return _quote(order, _entry(order, entry_number), _slot(seller, time_slot_id),
                  by=by, now=now)


def exchange_create(*, seller: Seller, order_number: str, entry_number: str,
                    time_slot_id: int, by: RequestedBy, actor: Actor,
                    now: datetime | None = None) -> Exchange:
    """Move the entry (see the module's docstring). Refused with the quote's reasons:
    409 `slot_full` when the time slot is full, 422 `not_exchangeable` otherwise."""
    now = now or clock.now()
    with transaction.atomic():
        order = order_lock(seller=seller, number=order_number)
        entry = _entry(order, entry_number)
        slot_id = _slot(seller, time_slot_id).pk
        slots = time_slots_lock(seller=seller, slot_ids={slot_id, entry.time_slot_id} - {None})
        quote = _quote(order, entry, slots[slot_id], by=by, now=now)
        if not quote.allowed:
            raise DomainError(code=quote.code, message=" ".join(quote.reasons),
                              status=409 if quote.code == SLOT_FULL else 422)
        exchange = _start(order, entry, slots[slot_id], quote, by=by, now=now)
        audit(seller=seller, obj=order, action="exchange.created", actor=actor, now=now,
              data={"exchange": exchange.pk, "entry": entry.number,
                    "time_slot": slot_id, "difference": quote.difference, "fee": quote.fee,
                    "by": by.value})
        if quote.difference > 0:
            _ask_for_payment(exchange, now=now)
        else:
            _complete(exchange, actor=actor, now=now)
    return exchange


def _entry(order: Order, number: str) -> Entry:
    entry = (Entry.objects.select_related("line__product", "time_slot")
             .filter(order=order, number=number).first())
    if entry is None:
        raise NotFound(f"Order {order.number} has no entry {number}.", code="entry_not_found")
    return entry


def _slot(seller: Seller, slot_id: int) -> TimeSlot:
    slot = TimeSlot.objects.filter(pk=slot_id, product__seller=seller).first()
    if slot is None:
        raise NotFound(f"No time slot {slot_id} for this seller.", code="time_slot_not_found")
    return slot


def _quote(order: Order, entry: Entry, slot: TimeSlot, *, by: RequestedBy,
           now: datetime) -> Quote:
    product, target = entry.line.product, slot.product
    facts = EntryFacts(
        label=f"{entry.number} {product.name}", status=entry.status, product_id=product.pk,
        group=product.exchange_group, slot_id=entry.time_slot_id,
        slot_start=entry.time_slot.starts_at if entry.time_slot else None,
        price=entry.line.unit_price, currency=order.currency,
        until_hours_before=product.exchange_until_hours_before, fee=product.exchange_fee,
        busy=_busy(entry))
    taken = places_taken(slot_ids=[slot.pk]).get(slot.pk, 0)
    # The same product keeps the price paid (a channel's discount stays); another
    # product of the group costs what it costs now.
    price = entry.line.unit_price if target.pk == product.pk else target.price
    wanted = SlotFacts(slot_id=slot.pk, product_id=target.pk, group=target.exchange_group,
                       starts_at=slot.starts_at, price=price, currency=target.currency,
                       places_left=slot.capacity - taken)
    return decide_exchange(facts, wanted, by=by, now=now,
                           format_amount=lambda amount: format_money(amount, order.currency))


def _busy(entry: Entry) -> str:
    if Exchange.objects.filter(old_entry=entry, status=ExchangeStatus.AWAITING_PAYMENT).exists():
        return "exchange"
    if RefundItem.objects.filter(entry=entry, active=True).exists():
        return "refund"
    return ""


def _start(order: Order, entry: Entry, slot: TimeSlot, quote: Quote, *, by: RequestedBy,
           now: datetime) -> Exchange:
    line = OrderLine.objects.create(order=order, product=slot.product, time_slot=slot,
                                    quantity=1, unit_price=quote.new_price)
    new_entry = Entry.objects.create(
        seller_id=order.seller_id, order=order, line=line, time_slot=slot,
        number=public_number("TID", 10), secret=new_secret(), status=EntryStatus.PENDING)
    entries_update(Entry.objects.filter(pk=new_entry.pk), slot_ids=[slot.pk])
    pay_later = quote.difference > 0
    try:
        with transaction.atomic():
            return Exchange.objects.create(
                seller_id=order.seller_id, order=order, old_entry=entry, new_entry=new_entry,
                difference=quote.difference, fee=quote.fee, currency=order.currency,
                status=ExchangeStatus.AWAITING_PAYMENT, requested_by=by.value,
                created_at=now,
                payment_transaction_id=public_number("XCH", 10) if pay_later else "",
                expires_at=min(now + payment_window(), slot.starts_at) if pay_later else None)
    except IntegrityError:  # the order's row lock makes this rare; the constraint makes it safe
        raise Conflict("already_exchanging",
                       f"{entry.number} is already being exchanged.") from None


def _ask_for_payment(exchange: Exchange, *, now: datetime) -> None:
    exchange.payment_link = _payment_link(exchange)
    exchange.save(update_fields=["payment_link"])
    emails.queue_exchange_payment(exchange, now=now)


def _payment_link(exchange: Exchange) -> str:
    """A link from the provider of the order's first confirmed payment; "" means a bank
    transfer with the reference (manual payments, or a provider without links). Called
    holding the slot locks: a slow provider delays other sales of these two slots only."""
    order = exchange.order
    paid_with = (order.payments.filter(status=PaymentStatus.CONFIRMED)
                 .order_by("confirmed_at", "id").first())
    provider = PROVIDERS.get(paid_with.provider if paid_with else "manual")
    if provider is None:
        return ""
    account = ProviderAccount.objects.filter(seller_id=order.seller_id,
                                             provider=provider.name, active=True).first()
    with translation.override(order.language):
        description = _("Exchange of %(entry)s, order %(order)s") % {
            "entry": exchange.old_entry.number, "order": order.number}
    try:
        return provider.payment_link(
            order_number=order.number, reference=exchange.payment_transaction_id,
            amount=exchange.difference, currency=exchange.currency, description=description,
            config=account.config if account else {})[:500]
    except ProviderRejected as exc:
        log.warning("No payment link for exchange %s: %s", exchange.pk, exc)
        return ""
    except ProviderUnavailable:
        raise DomainError(code="provider_unavailable", status=503,
                          message="The payment provider cannot be reached right now; nothing "
                                  "was changed. Try the exchange again in a few minutes.") from None


def _complete(exchange: Exchange, *, actor: Actor, now: datetime) -> None:
    """Old entry void, new entry valid, the difference settled. Holding the order's lock."""
    entries_update(Entry.objects.filter(pk=exchange.old_entry_id), status=EntryStatus.VOID,
                   voided_at=now)
    entries_update(Entry.objects.filter(pk=exchange.new_entry_id), status=EntryStatus.VALID)
    if exchange.difference < 0:
        exchange.refund = _refund_difference(exchange, actor=actor, now=now)
    else:
        Order.objects.filter(pk=exchange.order_id).update(
            total=F("total") + exchange.difference - exchange.fee)
    exchange.status, exchange.completed_at = ExchangeStatus.COMPLETED, now
    exchange.save(update_fields=["status", "completed_at", "refund"])
    audit(seller=exchange.order.seller, obj=exchange.order, action="exchange.completed",
          actor=actor, now=now,
          data={"exchange": exchange.pk, "old_entry": exchange.old_entry.number,
                "new_entry": exchange.new_entry.number, "difference": exchange.difference,
                "refund": exchange.refund.number if exchange.refund else None})
    emails.queue_exchange_completed(exchange, now=now)


def _refund_difference(exchange: Exchange, *, actor: Actor, now: datetime):
    order, old = exchange.order, exchange.old_entry
    with translation.override(order.language):
        reason = _("Price difference of exchanging %(old)s for %(new)s.") % {
            "old": old.number, "new": exchange.new_entry.number}
    payments = list(Payment.objects.filter(order=order, status=PaymentStatus.CONFIRMED))
    return refund_amount_create(
        order=order, amount=-exchange.difference, fee=exchange.fee, payments=payments,
        requested_by=exchange.requested_by, reason=reason, actor=actor, now=now,
        items=(MoneyItem(line=old.line, entry=old, amount=-exchange.difference),))


def exchange_for_payment(*, order: Order, references: list[str | None],
                         payment: Payment | None) -> Exchange | None:
    """The exchange a payment report is about (by our reference or the linked payment),
    locked; None for an ordinary payment. Call holding the order's row lock."""
    match = Q(payment_transaction_id__in={r for r in references if r})
    if payment is not None:
        match |= Q(payment=payment)
    return (Exchange.objects.select_for_update(of=("self",))
            .select_related("old_entry", "new_entry")
            .filter(match, order=order).exclude(payment_transaction_id="").first())


def exchange_payment_confirmed(*, exchange: Exchange, payment: Payment, actor: Actor,
                               now: datetime) -> None:
    """The difference was paid: complete the exchange. A payment that cannot complete it
    (the exchange expired, the old entry was refunded meanwhile, the amount is short) is
    refunded automatically; a second payment of a completed exchange is flagged."""
    if exchange.payment_id is None:
        exchange.payment = payment
        exchange.save(update_fields=["payment"])
    problem = _payment_problem(exchange, payment)
    if problem is None:
        _complete(exchange, actor=actor, now=now)
        invoice_issue(order=exchange.order, amount=payment.amount, now=now)
    elif problem == "duplicate":
        payment_flag_add(payment=payment, kind=PaymentFlag.Kind.DUPLICATE, now=now,
             detail=f"Exchange {exchange.payment_transaction_id} was already paid.")
    else:
        if problem == "entry_gone" and exchange.status == ExchangeStatus.AWAITING_PAYMENT:
            _cancel(exchange, actor=SYSTEM, now=now, expired=False)
        refund_payment_left(order=exchange.order, payment=payment, now=now,
                            reason=_problem_reason(exchange, problem))
        payment_flag_add(payment=payment, kind=PaymentFlag.Kind.LATE, now=now, resolved=True,
             detail=f"Exchange {exchange.payment_transaction_id}: {problem}; refunded.")


def _payment_problem(exchange: Exchange, payment: Payment) -> str | None:
    if exchange.status == ExchangeStatus.COMPLETED:
        return "duplicate"
    if exchange.status == ExchangeStatus.CANCELED:
        return "expired"
    if exchange.old_entry.status != EntryStatus.VALID:
        return "entry_gone"
    if payment.amount < exchange.difference:
        return "short"
    return None


def _problem_reason(exchange: Exchange, problem: str) -> str:
    with translation.override(exchange.order.language):
        return {
            "expired": _("The exchange had expired when its payment arrived."),
            "entry_gone": _("The entry to exchange was no longer valid when the payment "
                            "arrived."),
            "short": _("The payment was less than the price difference of the exchange."),
        }[problem]


def exchange_cancel(*, exchange: Exchange, actor: Actor, now: datetime | None = None) -> Exchange:
    """Cancel an exchange still awaiting its payment: the place held is released and the
    old entry stays valid."""
    now = now or clock.now()
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=exchange.order_id)
        exchange = Exchange.objects.select_for_update().get(pk=exchange.pk)
        if exchange.status != ExchangeStatus.AWAITING_PAYMENT:
            raise Conflict("exchange_not_open",
                           f"This exchange is {exchange.get_status_display().lower()}.")
        _cancel(exchange, actor=actor, now=now, expired=False)
    return exchange


def exchanges_expiry_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Cancel exchanges whose difference was not paid in time (the periodic job). The
    order is taken with SKIP LOCKED — a payment being recorded holds it — and the exchange
    re-checked, so a paid exchange is never canceled and none twice."""
    now = now or clock.now()
    due = list(Exchange.objects.filter(status=ExchangeStatus.AWAITING_PAYMENT,
                                       expires_at__lte=now)
               .order_by("expires_at").values_list("pk", "order_id")[:limit])
    done = 0
    for pk, order_id in due:
        with transaction.atomic():
            if Order.objects.select_for_update(skip_locked=True).filter(pk=order_id).first() is None:
                continue  # a payment is being recorded for it: next sweep
            exchange = (Exchange.objects.select_for_update()
                        .filter(pk=pk, status=ExchangeStatus.AWAITING_PAYMENT,
                                expires_at__lte=now).first())
            if exchange is not None:
                _cancel(exchange, actor=SYSTEM, now=now, expired=True)
                done += 1
    return done


def _cancel(exchange: Exchange, *, actor: Actor, now: datetime, expired: bool) -> None:
    entries_update(Entry.objects.filter(pk=exchange.new_entry_id), status=EntryStatus.VOID,
                   voided_at=now)
    exchange.status = ExchangeStatus.CANCELED
    exchange.save(update_fields=["status"])
    audit(seller=exchange.order.seller, obj=exchange.order, action="exchange.canceled",
          actor=actor, now=now, data={"exchange": exchange.pk, "expired": expired,
                                      "new_entry": exchange.new_entry.number})
    emails.queue_exchange_canceled(exchange, expired=expired, now=now)
