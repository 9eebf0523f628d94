"""What a confirmed payment does to its order (SPEC §5).

- Awaiting payment: the order is paid once confirmed payments cover its total (entries
  valid, receipt and entries e-mailed, invoices issued), then checked for a duplicate.
- Expired: the seller's `late_payment_policy`. "activate": if every entry's time slot
  still has room (re-checked under the slots' row locks), the order is reactivated and
  paid; otherwise, or with "refund", the order stays expired and the payment is refunded
  automatically. Canceled: always refunded. Either way a PaymentFlag(kind=late) records
  it and the customer is told what happened.
- Already paid: a second confirmed payment is flagged as a probable duplicate.
- Paying an order also looks for another paid order of the same customer with the same
  items created shortly before or after it (POSTSALE_DUPLICATE_WINDOW_MINUTES): the newer
  order's payment is flagged. Flags never refund by themselves; an agent decides."""

from collections import Counter
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from postsale.core import clock
from postsale.core.audit import SYSTEM, Actor, audit
from postsale.core.numbers import public_number
from postsale.notifications.services import notification_queue
from postsale.orders.emails import order_context
from postsale.orders.models import EntryStatus, Order, OrderStatus, ProductKind
from postsale.orders.services import order_mark_paid, places_taken, time_slots_lock
from postsale.orders.sync import entries_update
from postsale.payments.models import (
    Invoice,
    Payment,
    PaymentFlag,
    PaymentStatus,
    RefundPart,
    Subscription,
)
from postsale.payments.payment_refunds import refund_amount_create

PAID_STATUSES = {OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}


def duplicate_window() -> timedelta:
    return timedelta(minutes=settings.POSTSALE_DUPLICATE_WINDOW_MINUTES)


def settle(*, order: Order, payment: Payment, actor: Actor, now: datetime,
           notify: bool = True) -> None:
    """`payment` of `order` was just confirmed. Call holding the order's row lock."""
    if order.status in PAID_STATUSES:
        payment_flag_add(payment=payment, kind=PaymentFlag.Kind.DUPLICATE, now=now,
             detail=f"Order {order.number} was already paid when this payment was confirmed.")
    elif order.status in (OrderStatus.EXPIRED, OrderStatus.CANCELED):
        late_confirmation(order=order, payment=payment, actor=actor, now=now, notify=notify)
    elif covered(order):
        _pay(order=order, actor=actor, now=now, notify=notify)


def covered(order: Order) -> bool:
    """Do confirmed payments, less what is reserved for refunds, cover the total?"""
    confirmed = sum(p.amount - p.refunded_amount
                    for p in order.payments.filter(status=PaymentStatus.CONFIRMED))
    return confirmed >= order.total


def _pay(*, order: Order, actor: Actor, now: datetime, notify: bool) -> None:
    order_mark_paid(order=order, actor=actor, now=now, notify=notify)
    _issue_invoices(order, now=now)
    duplicates_check(order=order, now=now)


def _issue_invoices(order: Order, *, now: datetime) -> None:
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
    for _attempt in range(5):
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


# Late confirmations.

def late_confirmation(*, order: Order, payment: Payment, actor: Actor, now: datetime,
                      notify: bool = True) -> str:
    """Apply the seller's late payment policy; returns the outcome: "activated", or why
    the payment is refunded ("policy", "no_places", "started", "not_covered",
    "canceled")."""
    audit(seller=order.seller, obj=order, action="payment.late", actor=actor, now=now,
          data={"payment": payment.provider_transaction_id, "status": order.status,
                "policy": order.seller.late_payment_policy})
    outcome = _late_outcome(order, now=now)
    if outcome == "activated":
        _reactivate(order, actor=actor, now=now, notify=notify)
    else:
        refund_payment_left(order=order, payment=payment, now=now,
                            reason=_late_refund_reason(order, outcome))
    payment_flag_add(payment=payment, kind=PaymentFlag.Kind.LATE, now=now, resolved=True,
         detail=f"Confirmed while order {order.number} was {order.status}: {outcome}.")
    if notify:
        _queue_late_payment(order, payment, outcome=outcome, now=now)
    return outcome


def _late_outcome(order: Order, *, now: datetime) -> str:
    if order.status == OrderStatus.CANCELED:
        return "canceled"
    if order.seller.late_payment_policy != "activate":
        return "policy"
    if not covered(order):
        return "not_covered"
    return _room_for(order, now=now)


def _room_for(order: Order, *, now: datetime) -> str:
    """"activated" if every entry of the order fits into its time slot again (locks the
    slots, which stay locked until the order is paid), else why not."""
    entries = list(order.entries.exclude(status=EntryStatus.USED))
    need = Counter(e.time_slot_id for e in entries if e.time_slot_id)
    slots = time_slots_lock(seller=order.seller, slot_ids=need)
    if any(slot.starts_at <= now for slot in slots.values()):
        return "started"
    taken = places_taken(slot_ids=need, exclude_order=order)
    if any(taken.get(pk, 0) + n > slots[pk].capacity for pk, n in need.items()):
        return "no_places"
    return "activated"


def _reactivate(order: Order, *, actor: Actor, now: datetime, notify: bool) -> None:
    # Expiry voided the entries to release their places; they hold them again.
    entries_update(order.entries.filter(status=EntryStatus.VOID), status=EntryStatus.PENDING,
                   voided_at=None)
    order.closed_at = None
    order.save(update_fields=["closed_at"])
    audit(seller=order.seller, obj=order, action="order.reactivated", actor=actor, now=now,
          data={"from": order.status})
    _pay(order=order, actor=actor, now=now, notify=notify)


def _late_refund_reason(order: Order, outcome: str) -> str:
    with translation.override(order.language):
        return {
            "canceled": _("The order had been canceled when the payment arrived."),
            "policy": _("The order had expired when the payment arrived."),
            "not_covered": _("The order had expired and the payment does not cover it."),
            "started": _("The order had expired and its time has already started."),
            "no_places": _("The order had expired and its places were taken meanwhile."),
        }[outcome]


def refund_payment_left(*, order: Order, payment: Payment, now: datetime, reason: str):
    """Refund what is left of `payment` automatically (requested by the system)."""
    payment.refresh_from_db(fields=["refunded_amount"])
    left = payment.amount - payment.refunded_amount
    if left <= 0:
        return None
    return refund_amount_create(order=order, amount=left, payments=[payment],
                                requested_by="system", reason=reason, actor=SYSTEM, now=now)


def _queue_late_payment(order: Order, payment: Payment, *, outcome: str,
                        now: datetime) -> None:
    order.refresh_from_db()
    notification_queue(
        kind="late_payment", to_email=order.email, language=order.language,
        context=order_context(order) | {"late": {
            "outcome": outcome, "amount": payment.amount_display,
            "refunded": outcome != "activated"}},
        tags=[f"order:{order.pk}", f"customer:{order.customer_id}", f"payment:{payment.pk}"],
        seller=order.seller, reply_to=order.seller.reply_to_email, now=now)


# Flags.

def payment_flag_add(*, payment: Payment, kind: str, now: datetime, detail: str = "",
         related_order: Order | None = None, resolved: bool = False) -> PaymentFlag:
    """Record something about a payment for an agent (once per payment and kind).
    `resolved`: handled by the system already; kept for the record."""
    flagged, created = PaymentFlag.objects.get_or_create(
        payment=payment, kind=kind,
        defaults={"seller_id": payment.seller_id, "related_order": related_order,
                  "detail": detail[:300], "created_at": now,
                  "resolved_at": now if resolved else None})
    if created:
        audit(seller=payment.seller, obj=payment, action=f"payment.flagged.{kind}",
              actor=SYSTEM, now=now,
              data={"order": payment.order.number, "detail": flagged.detail,
                    "related_order": related_order.number if related_order else None})
    return flagged


def payment_flag_resolve(*, payment_flag: PaymentFlag, actor: Actor,
                         now: datetime | None = None) -> PaymentFlag:
    """An agent has dealt with a flag (refunded, or decided nothing is wrong)."""
    now = now or clock.now()
    with transaction.atomic():
        payment_flag = PaymentFlag.objects.select_for_update().get(pk=payment_flag.pk)
        if payment_flag.resolved_at is None:
            payment_flag.resolved_at = now
            payment_flag.save(update_fields=["resolved_at"])
            audit(seller=payment_flag.seller, obj=payment_flag.payment,
                  action=f"payment.flag_resolved.{payment_flag.kind}", actor=actor, now=now)
    return payment_flag


def duplicates_check(*, order: Order, now: datetime) -> PaymentFlag | None:
    """Another paid order of the same customer with the same items, created within the
    window: flag the newer order's payment, naming the other order."""
    window = duplicate_window()
    mine = _items(order)
    others = (Order.objects.filter(seller_id=order.seller_id, customer_id=order.customer_id,
                                   status=OrderStatus.PAID,
                                   created_at__gte=order.created_at - window,
                                   created_at__lte=order.created_at + window)
              .exclude(pk=order.pk).order_by("created_at", "id"))
    other = next((o for o in others if _items(o) == mine), None)
    if other is None:
        return None
    newer, older = sorted((order, other), key=lambda o: (o.created_at, o.pk), reverse=True)
    payment = (newer.payments.filter(status=PaymentStatus.CONFIRMED)
               .order_by("-confirmed_at", "-id").first())
    if payment is None:
        return None
    minutes = int(abs((newer.created_at - older.created_at).total_seconds()) // 60)
    return payment_flag_add(payment=payment, kind=PaymentFlag.Kind.DUPLICATE, now=now,
                related_order=older,
                detail=f"Same items as order {older.number}, created {minutes} min apart.")


def _items(order: Order) -> frozenset:
    """What an order bought, for comparing: (product, time slot) → quantity."""
    counts: Counter = Counter()
    for product_id, slot_id, quantity in order.lines.values_list("product_id", "time_slot_id",
                                                                 "quantity"):
        counts[(product_id, slot_id)] += quantity
    return frozenset(counts.items())


def provider_refund_recorded(*, order: Order, payment: Payment, now: datetime) -> None:
    """The provider reports a payment refunded that no refund of ours covers (a gateway's
    own automatic refund, or one made in its dashboard): the money is gone, so nothing is
    left to refund; the order's entries are left as they are. Flagged for an agent when
    the order is paid (its entries are still valid), recorded otherwise."""
    if RefundPart.objects.filter(payment=payment).exists():
        return  # our own refund, reported back by the provider
    Payment.objects.filter(pk=payment.pk).update(refunded_amount=F("amount"))
    payment_flag_add(payment=payment, kind=PaymentFlag.Kind.PROVIDER_REFUND, now=now,
         resolved=order.status not in PAID_STATUSES,
         detail=f"Refunded at {payment.provider} while order {order.number} was "
                f"{order.status}.")
