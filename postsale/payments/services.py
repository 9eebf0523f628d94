"""Writes about money: payment events from channels and providers, and submitting an
order together with the payment a channel already took. What a confirmed payment does to
its order is in settlement.py; a payment of an exchange's difference goes to exchanges.py.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.core.errors import Conflict, Invalid
from postsale.orders.drafts import OrderDraft
from postsale.orders.models import Order
from postsale.orders.services import order_create, order_lock
from postsale.payments import exchanges
from postsale.payments.models import PAYMENT_TRANSITIONS, Payment, PaymentEvent, PaymentStatus
from postsale.payments.settlement import (  # noqa: F401 — invoice_issue, subscription_start: public here
    invoice_issue,
    provider_refund_recorded,
    settle,
    subscription_start,
)
from postsale.sellers.models import Seller


@dataclass(frozen=True)
class PaymentReport:
    """A status change of one payment, as a channel or provider reports it."""

    provider: str
    transaction_id: str
    status: str
    amount: int | None = None  # needed when the payment is new; empty: the order total
    currency: str | None = None
    event_id: str | None = None  # the sender's id for this report, if it has one
    occurred_at: datetime | None = None
    # Our reference the payment was made with, when it differs from the transaction id
    # (an exchange's XCH-… passed to the provider's payment link).
    reference: str | None = None


@dataclass(frozen=True)
class PaymentEventResult:
    payment: Payment
    order: Order
    applied: bool  # False: a repeat, or a change the payment's state does not allow
    detail: str


def payment_record_event(*, seller: Seller, order_number: str, report: PaymentReport,
                         source: str, actor: Actor, payload: dict | None = None,
                         now: datetime | None = None) -> PaymentEventResult:
    """Record a payment status report; a repeated report changes nothing."""
    now = now or clock.now()
    if report.status not in PaymentStatus.values:
        raise Invalid("Unknown payment status.",
                      {"status": f"Use one of {', '.join(PaymentStatus.values)}."})
    with transaction.atomic():
        order = order_lock(seller=seller, number=order_number)
        return _record(order=order, report=report, source=source, actor=actor,
                       payload=payload or {}, now=now)


def _record(*, order: Order, report: PaymentReport, source: str, actor: Actor,
            payload: dict, now: datetime, notify: bool = True) -> PaymentEventResult:
    payment = (Payment.objects.select_for_update()
               .filter(seller=order.seller, provider=report.provider,
                       provider_transaction_id=report.transaction_id).first())
    if payment is not None and payment.order_id != order.pk:
        raise Conflict("transaction_belongs_to_other_order",
                       f"Transaction {report.transaction_id} belongs to another order.")
    currency = report.currency or order.currency
    if currency != order.currency:
        raise Invalid("Currency mismatch.", {
            "currency": f"The order is in {order.currency}; report the payment in it."})
    exchange = exchanges.exchange_for_payment(
        order=order, references=[report.reference, report.transaction_id], payment=payment)
    if payment is None:
        payment = _payment_create(order=order, report=report, exchange=exchange,
                                  actor=actor, now=now)
    elif report.amount is not None and report.amount != payment.amount:
        raise Conflict("payment_amount_mismatch",
                       f"Transaction {report.transaction_id} was reported with amount "
                       f"{payment.amount}; a report with {report.amount} cannot be applied. "
                       "Use a new transaction id for another payment.")
    key = report.event_id or f"{report.provider}:{report.transaction_id}:{report.status}"
    if PaymentEvent.objects.filter(payment=payment, key=key).exists():
        return PaymentEventResult(payment, order, False, "This event was already recorded.")

    allowed = (report.status in PAYMENT_TRANSITIONS[PaymentStatus(payment.status)]
               or (report.status == PaymentStatus.PENDING == payment.status))
    PaymentEvent.objects.create(payment=payment, key=key, status=report.status,
                                source=source[:64], payload=payload, applied=allowed,
                                occurred_at=report.occurred_at or now, received_at=now)
    if not allowed:
        return PaymentEventResult(payment, order, False,
                                  f"The payment is {payment.status}; a {report.status} "
                                  "report cannot change it.")
    _apply(order=order, payment=payment, status=report.status, exchange=exchange,
           actor=actor, now=now, notify=notify)
    return PaymentEventResult(payment, order, True, f"Payment is now {payment.status}.")


def _payment_create(*, order: Order, report: PaymentReport, exchange, actor: Actor,
                    now: datetime) -> Payment:
    amount = report.amount
    if amount is None:  # the channel did not say: what is due
        amount = exchange.difference if exchange else order.total
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                seller=order.seller, order=order, provider=report.provider,
                provider_transaction_id=report.transaction_id, amount=amount,
                currency=order.currency, created_at=now)
    except IntegrityError:  # reported for another order at the same moment
        raise Conflict("transaction_belongs_to_other_order",
                       f"Transaction {report.transaction_id} belongs to another "
                       "order.") from None
    audit(seller=order.seller, obj=payment, action="payment.created", actor=actor,
          now=now, data={"order": order.number, "amount": payment.amount})
    return payment


def _apply(*, order: Order, payment: Payment, status: str, exchange, actor: Actor,
           now: datetime, notify: bool) -> None:
    """Change the payment's status, and what follows for its order or exchange."""
    previous = payment.status
    payment.status = status
    fields = ["status"]
    if status == PaymentStatus.CONFIRMED:
        payment.confirmed_at = now
        fields.append("confirmed_at")
    payment.save(update_fields=fields)
    audit(seller=order.seller, obj=payment, action=f"payment.{status}", actor=actor,
          now=now, data={"order": order.number, "from": previous})
    if status == PaymentStatus.CONFIRMED and exchange is not None:
        exchanges.exchange_payment_confirmed(exchange=exchange, payment=payment, actor=actor,
                                             now=now)
    elif status == PaymentStatus.CONFIRMED:
        settle(order=order, payment=payment, actor=actor, now=now, notify=notify)
    elif status == PaymentStatus.REFUNDED:
        provider_refund_recorded(order=order, payment=payment, now=now)


def order_submit(*, seller: Seller, draft: OrderDraft, actor: Actor, source: str,
                 now: datetime | None = None, notify: bool = True) -> tuple[Order, bool]:
    """Create an order from a channel, with the payment it already took, in one
    transaction. Returns (order, created). `notify=False` (imports of past orders) records
    a payment without sending the receipt and entries again."""
    now = now or clock.now()
    with transaction.atomic():
        order, created = order_create(seller=seller, draft=draft, actor=actor, now=now,
                                      payment_minutes=payment_minutes(source, draft))
        if created and draft.payment:
            p = draft.payment
            _record(order=order_lock(seller=seller, number=order.number),
                    report=PaymentReport(provider=p.provider, transaction_id=p.transaction_id,
                                         status=p.status, amount=p.amount),
                    source=source, actor=actor, payload={}, now=now, notify=notify)
            order.refresh_from_db()
    return order, created


def payment_minutes(source: str, draft: OrderDraft) -> int | None:
    """How long an order has to be paid before it expires, or None for no deadline.

    Only orders a channel creates through the API without a confirmed payment get one
    (POSTSALE_DEFAULT_PAYMENT_MINUTES, default 60; 0 turns expiry off): the channel is
    waiting for its customer to pay. Imports and the demo bring orders whose payment is
    settled elsewhere or already in the past, and a box office takes the money first."""
    minutes = settings.POSTSALE_DEFAULT_PAYMENT_MINUTES
    paid = draft.payment is not None and draft.payment.status == PaymentStatus.CONFIRMED
    if not source.startswith("api:") or paid or not minutes:
        return None
    return minutes
