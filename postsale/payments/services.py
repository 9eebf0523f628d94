"""Writes about money: payment events from channels and providers, invoices,
subscriptions, and submitting an order together with the payment a channel already took."""

from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Sum

from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.core.errors import Conflict, Invalid
from postsale.core.numbers import public_number
from postsale.orders.drafts import OrderDraft
from postsale.orders.models import Order, OrderStatus, ProductKind
from postsale.orders.services import order_create, order_lock, order_mark_paid
from postsale.payments.models import (
    PAYMENT_TRANSITIONS,
    Invoice,
    Payment,
    PaymentEvent,
    PaymentStatus,
    Subscription,
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
    if payment is None:
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    seller=order.seller, order=order, provider=report.provider,
                    provider_transaction_id=report.transaction_id,
                    amount=order.total if report.amount is None else report.amount,
                    currency=currency, created_at=now)
        except IntegrityError:  # reported for another order at the same moment
            raise Conflict("transaction_belongs_to_other_order",
                           f"Transaction {report.transaction_id} belongs to another "
                           "order.") from None
        audit(seller=order.seller, obj=payment, action="payment.created", actor=actor,
              now=now, data={"order": order.number, "amount": payment.amount})
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
    previous = payment.status
    payment.status = report.status
    fields = ["status"]
    if report.status == PaymentStatus.CONFIRMED:
        payment.confirmed_at = now
        fields.append("confirmed_at")
    payment.save(update_fields=fields)
    audit(seller=order.seller, obj=payment, action=f"payment.{report.status}", actor=actor,
          now=now, data={"order": order.number, "from": previous})
    if report.status == PaymentStatus.CONFIRMED:
        _settle(order=order, actor=actor, now=now, notify=notify)
    return PaymentEventResult(payment, order, True, f"Payment is now {payment.status}.")


def _settle(*, order: Order, actor: Actor, now: datetime, notify: bool) -> None:
    """Mark the order paid once confirmed payments cover its total."""
    if order.status not in (OrderStatus.AWAITING_PAYMENT, OrderStatus.EXPIRED):
        return  # already paid: a second payment is a duplicate for an agent to refund
    confirmed = (order.payments.filter(status=PaymentStatus.CONFIRMED)
                 .aggregate(total=Sum("amount"))["total"] or 0)
    if confirmed < order.total:
        return
    order_mark_paid(order=order, actor=actor, now=now, notify=notify)
    # A subscription is billed by its own invoices (a refund returns only the last one);
    # everything else of the order is on one invoice.
    billed = 0
    for line in order.lines.select_related("product").filter(
            product__kind=ProductKind.SUBSCRIPTION):
        subscription = subscription_start(order=order, line=line, now=now)
        invoice_issue(order=order, subscription=subscription, amount=line.total, now=now,
                      period=(subscription.started_at, subscription.current_period_end))
        billed += line.total
    if order.total > billed:
        invoice_issue(order=order, amount=order.total - billed, now=now)


def invoice_issue(*, order: Order, subscription: Subscription | None = None,
                  amount: int | None = None, period: tuple[datetime, datetime] | None = None,
                  now: datetime) -> Invoice:
    for _ in range(5):
        try:
            with transaction.atomic():
                return Invoice.objects.create(
                    seller=order.seller, order=order, subscription=subscription,
                    number=public_number("INV", 10),
                    amount=order.total if amount is None else amount,
                    currency=order.currency, issued_at=now,
                    period_start=period[0] if period else None,
                    period_end=period[1] if period else None)
        except IntegrityError:  # number collision: draw again
            continue
    raise RuntimeError("Could not allocate an invoice number")


def subscription_start(*, order: Order, line, now: datetime) -> Subscription:
    months = line.product.billing_period_months or 1
    subscription = Subscription.objects.create(
        seller=order.seller, order=order, line=line, started_at=now,
        current_period_end=now + relativedelta(months=months))
    audit(seller=order.seller, obj=subscription, action="subscription.started",
          actor=Actor("system"), now=now, data={"order": order.number})
    return subscription


def order_submit(*, seller: Seller, draft: OrderDraft, actor: Actor, source: str,
                 now: datetime | None = None, notify: bool = True) -> tuple[Order, bool]:
    """Create an order from a channel, with the payment it already took, in one
    transaction. Returns (order, created). `notify=False` (imports of past orders) records
    a payment without sending the receipt and entries again."""
    now = now or clock.now()
    with transaction.atomic():
        order, created = order_create(seller=seller, draft=draft, actor=actor, now=now)
        if created and draft.payment:
            p = draft.payment
            _record(order=order_lock(seller=seller, number=order.number),
                    report=PaymentReport(provider=p.provider, transaction_id=p.transaction_id,
                                         status=p.status, amount=p.amount),
                    source=source, actor=actor, payload={}, now=now, notify=notify)
            order.refresh_from_db()
    return order, created
