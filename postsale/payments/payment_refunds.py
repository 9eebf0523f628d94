"""Refunds of money rather than of an order's items: a payment confirmed after its order
expired or was canceled, a second payment of an order already paid, the price drop of an
exchange.

They are reserved the way `refunds.refund_request` reserves (RefundPart rows and
Payment.refunded_amount, checked ≤ amount by the database, under row locks) and then
processed by `refunds.refund_process` like every refund: through the payment's provider,
with the part's idempotency key, retries with backoff, the failure notice and the
confirmation e-mail. Only the decision differs: the amount is given, not derived from
eligibility rules."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum

from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.core.errors import Conflict, Invalid
from postsale.core.numbers import public_number
from postsale.orders.models import Entry, Order, OrderLine, OrderStatus
from postsale.orders.services import order_lock
from postsale.payments.models import (
    Payment,
    PaymentFlag,
    PaymentStatus,
    Refund,
    RefundItem,
)
from postsale.payments.refunds import enqueue_processing, reserve_payments


@dataclass(frozen=True)
class MoneyItem:
    """What a refund of an amount is for, when it is for an item (an exchanged entry)."""

    line: OrderLine
    entry: Entry | None
    amount: int


def refund_amount_create(*, order: Order, amount: int, payments: list[Payment],
                         requested_by: str, reason: str, actor: Actor, now: datetime,
                         fee: int = 0, items: tuple[MoneyItem, ...] = ()) -> Refund:
    """Reserve a refund of `amount` from `payments` (newest first) and queue it for
    processing after commit. Call inside a transaction holding the order's row lock."""
    if amount <= 0:
        raise Invalid("A refund needs a positive amount.", {"amount": "Must be above 0."})
    refund = Refund.objects.create(
        seller=order.seller, order=order, number=public_number("RFD", 10), amount=amount,
        fee=fee, currency=order.currency, requested_by=requested_by, reason=reason[:500],
        reasons=[reason] if reason else [], created_at=now, next_attempt_at=now)
    try:
        with transaction.atomic():
            RefundItem.objects.bulk_create(
                RefundItem(refund=refund, line=i.line, entry=i.entry, amount=i.amount)
                for i in items)
    except IntegrityError:  # the entry is in another active refund
        raise Conflict("already_refunded", "This entry is already being refunded.") from None
    reserve_payments(refund, Payment.objects.filter(pk__in=[p.pk for p in payments]))
    audit(seller=order.seller, obj=order, action="refund.requested", actor=actor, now=now,
          data={"refund": refund.number, "amount": amount, "by": requested_by,
                "payments": [p.provider_transaction_id for p in payments],
                "reason": reason[:200]})
    transaction.on_commit(lambda: enqueue_processing(refund.pk))
    return refund


def payment_refund(*, payment: Payment, actor: Actor, reason: str = "",
                   now: datetime | None = None) -> Refund:
    """An agent refunds what is left of one payment the order does not need: a second
    payment of an order already paid (a flagged duplicate), or a payment of an order that
    is not paid. A payment that pays for a paid order is not refunded here — refund the
    order's items, which also voids its entries. Resolves the payment's open flags."""
    now = now or clock.now()
    with transaction.atomic():
        order = order_lock(seller=payment.seller, number=payment.order.number)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        left = payment.amount - payment.refunded_amount
        if payment.status != PaymentStatus.CONFIRMED or left <= 0:
            raise Conflict("payment_not_refundable",
                           f"Payment {payment.provider_transaction_id} is {payment.status} "
                           "with nothing left to refund.")
        if order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED) and \
                _others_cover(order, payment) < order.total:
            raise Conflict("payment_pays_the_order",
                           f"Payment {payment.provider_transaction_id} pays for order "
                           f"{order.number}. Refund the order (or some of its entries) "
                           "instead: that also voids the entries.")
        refund = refund_amount_create(order=order, amount=left, payments=[payment],
                                      requested_by="seller", reason=reason, actor=actor,
                                      now=now)
        PaymentFlag.objects.filter(payment=payment, resolved_at__isnull=True).update(
            resolved_at=now)
    return refund


def _others_cover(order: Order, payment: Payment) -> int:
    others = (order.payments.filter(status=PaymentStatus.CONFIRMED).exclude(pk=payment.pk)
              .aggregate(amount=Sum("amount"), refunded=Sum("refunded_amount")))
    return (others["amount"] or 0) - (others["refunded"] or 0)
