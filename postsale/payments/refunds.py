"""Refunds (SPEC §4.1, §4.3, §5): request → processing → succeeded | failed.

A request decides eligibility and the amount, reserves them (RefundItem rows, unique per
entry while active; Payment.refunded_amount, checked ≤ amount by the database) under the
order's row lock, and is processed by the worker: each part goes to the original payment's
provider with an idempotency key, so retries after timeouts never refund twice."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from postsale.core import clock
from postsale.core.audit import SYSTEM, Actor, audit
from postsale.core.errors import Conflict, DomainError
from postsale.core.numbers import public_number
from postsale.orders import rules as order_rules
from postsale.orders.models import Entry, EntryStatus, Order, OrderStatus
from postsale.orders.services import order_lock
from postsale.orders.sync import entries_update
from postsale.payments import emails
from postsale.payments.eligibility import refund_eligibility, refundable_items, select_items
from postsale.payments.models import (
    Invoice,
    Payment,
    PaymentStatus,
    Refund,
    RefundItem,
    RefundPart,
    RefundStatus,
)
from postsale.payments.providers import PROVIDERS
from postsale.payments.providers.base import ProviderRejected, ProviderUnavailable
from postsale.payments.rules import RequestedBy
from postsale.payments.subscriptions import subscription_stop
from postsale.sellers.models import Seller

log = logging.getLogger(__name__)

REFUNDABLE_ORDER = {OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED}
PROCESSING_LEASE = timedelta(minutes=10)


def refund_request(*, seller: Seller, order_number: str, by: RequestedBy, actor: Actor,
                   keys: list[str] | None = None, reason: str = "",
                   requested_at: datetime | None = None, now: datetime | None = None,
                   process_at: datetime | None = None, reference: str = "") -> Refund:
    """Decide and reserve a refund. `requested_at` is when the customer asked (the windows
    are checked then, SPEC §4.1); `process_at` is when the worker sends it (default now)."""
    now = now or clock.now()
    with transaction.atomic():
        order = order_lock(seller=seller, number=order_number)
        if order.status not in REFUNDABLE_ORDER:
            raise Conflict("order_not_refundable",
                           f"Order {order.number} is {order.get_status_display().lower()}; "
                           "only paid orders can be refunded.")
        items = select_items(refundable_items(order), keys)
        if not items:
            raise Conflict("already_refunded", "Everything on this order is already refunded "
                                               "or being refunded.")
        if any(i.refunded for i in items):
            raise Conflict("already_refunded",
                           "Some of these items are already refunded or being refunded: "
                           + ", ".join(i.label for i in items if i.refunded) + ".")
        decision = refund_eligibility(order=order, by=by, at=requested_at or now, keys=keys)
        if not decision.allowed:
            raise DomainError(code="not_refundable", status=422,
                              message=" ".join(decision.reasons) or "Nothing to refund.")
        refund = Refund.objects.create(
            seller=seller, order=order, number=public_number("RFD", 10),
            amount=decision.amount, fee=decision.fee, currency=order.currency,
            requested_by=by.value, reason=reason[:500], reasons=list(decision.reasons),
            reference=reference,
            created_at=now, next_attempt_at=process_at or now)
        _reserve_items(refund, order, decision)
        reserve_payments(refund, Payment.objects.filter(order=order))
        audit(seller=seller, obj=order, action="refund.requested", actor=actor, now=now,
              data={"refund": refund.number, "amount": refund.amount, "by": by.value,
                    "items": [d.key for d in decision.items if d.allowed]})
        if refund.next_attempt_at <= now:
            transaction.on_commit(lambda: enqueue_processing(refund.pk))
    return refund


def _reserve_items(refund: Refund, order: Order, decision) -> None:
    lines = {line.pk: line for line in order.lines.all()}
    entries = {e.number: e for e in order.entries.all()}
    rows = []
    for item in decision.items:
        if not item.allowed:
            continue
        kind, _, ref = item.key.partition(":")
        if kind == "entry":
            entry = entries[ref]
            rows.append(RefundItem(refund=refund, line_id=entry.line_id, entry=entry,
                                   amount=item.amount))
        elif kind == "invoice":
            invoice = Invoice.objects.select_related("subscription").get(number=ref)
            rows.append(RefundItem(refund=refund, line_id=invoice.subscription.line_id,
                                   invoice=invoice, amount=item.amount))
        else:
            rows.append(RefundItem(refund=refund, line=lines[int(ref)], amount=item.amount))
    try:
        with transaction.atomic():
            RefundItem.objects.bulk_create(rows)
    except IntegrityError:  # the row lock makes this rare; the constraint makes it safe
        raise Conflict("already_refunded",
                       "These items are already being refunded.") from None


def reserve_payments(refund: Refund, payments) -> None:
    """Split the refund's amount over `payments` (a queryset; confirmed ones, newest
    first), adding each share to Payment.refunded_amount. Inside the order's lock."""
    left = refund.amount
    locked = (payments.select_for_update().filter(status=PaymentStatus.CONFIRMED)
              .order_by("-confirmed_at", "-id"))
    for payment in locked:
        share = min(left, payment.amount - payment.refunded_amount)
        if share <= 0:
            continue
        Payment.objects.filter(pk=payment.pk).update(
            refunded_amount=F("refunded_amount") + share)
        RefundPart.objects.create(refund=refund, payment=payment, amount=share)
        left -= share
        if not left:
            return
    raise Conflict("refund_exceeds_payments",
                   "The payments do not cover this refund; nothing was refunded.")


def enqueue_processing(refund_id: int) -> None:
    from postsale.payments.tasks import process_refund

    try:
        process_refund.enqueue(refund_id)
    except Exception:
        log.exception("Could not enqueue refund %s; the sweep will process it", refund_id)


def retry_delay(attempt: int) -> timedelta:
    seconds = settings.POSTSALE_REFUND_RETRY_BASE * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=min(seconds, settings.POSTSALE_REFUND_RETRY_CAP))


def refund_process(*, refund_id: int, now: datetime | None = None) -> str | None:
    """Send a due refund to the provider(s). Idempotent; a no-op when not due or taken by
    another worker. Returns the refund's status after this attempt."""
    now = now or clock.now()
    with transaction.atomic():
        refund = (Refund.objects.select_for_update(skip_locked=True)
                  .filter(pk=refund_id, status__in=[RefundStatus.REQUESTED,
                                                    RefundStatus.PROCESSING],
                          next_attempt_at__lte=now).first())
        if refund is None:
            return None
        refund.status = RefundStatus.PROCESSING
        refund.attempts += 1
        refund.next_attempt_at = max(now, clock.now()) + PROCESSING_LEASE
        refund.save(update_fields=["status", "attempts", "next_attempt_at"])
    try:
        for part in refund.parts.select_related("payment").filter(succeeded_at__isnull=True):
            _send_part(part)
    except ProviderUnavailable as exc:
        return _attempt_failed(refund, exc, now=now, final=False)
    except ProviderRejected as exc:
        return _attempt_failed(refund, exc, now=now, final=True)
    return _succeed(refund, now=clock.now())


def _send_part(part: RefundPart) -> None:
    payment = part.payment
    provider = PROVIDERS.get(payment.provider)
    if provider is None:
        raise ProviderRejected(
            f"postsale has no connection to {payment.provider!r}: refund "
            f"{part.amount} {payment.currency} of transaction "
            f"{payment.provider_transaction_id} there, then mark this refund as done.")
    account = payment.seller.provider_accounts.filter(provider=payment.provider,
                                                      active=True).first()
    result = provider.refund(transaction_id=payment.provider_transaction_id,
                             amount=part.amount, currency=payment.currency,
                             idempotency_key=part.idempotency_key,
                             config=account.config if account else {})
    RefundPart.objects.filter(pk=part.pk).update(provider_refund_id=result.provider_refund_id,
                                                 succeeded_at=clock.now())


def _attempt_failed(refund: Refund, exc: Exception, *, now: datetime, final: bool) -> str:
    final = final or refund.attempts >= settings.POSTSALE_REFUND_MAX_ATTEMPTS
    with transaction.atomic():
        fields = {"last_error": f"{type(exc).__name__}: {exc}"[:2000]}
        if final:
            fields |= {"status": RefundStatus.FAILED, "needs_attention": True,
                       "next_attempt_at": None}
        else:
            fields["next_attempt_at"] = now + retry_delay(refund.attempts)
        Refund.objects.filter(pk=refund.pk).update(**fields)
        if final:
            refund.refresh_from_db()
            audit(seller=refund.seller, obj=refund.order, action="refund.failed",
                  actor=SYSTEM, now=now, data={"refund": refund.number,
                                               "error": fields["last_error"]})
            emails.queue_refund_failed(refund, now=now)
    log.warning("Refund %s attempt %s failed: %s", refund.number, refund.attempts, exc)
    return RefundStatus.FAILED if final else RefundStatus.PROCESSING


def _succeed(refund: Refund, *, now: datetime) -> str:
    with transaction.atomic():
        order = order_lock(seller=refund.seller, number=refund.order.number)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund.status
        refund.status, refund.succeeded_at, refund.next_attempt_at = (
            RefundStatus.SUCCEEDED, now, None)
        refund.save(update_fields=["status", "succeeded_at", "next_attempt_at"])
        items = list(refund.items.select_related("invoice__subscription"))
        entries_update(Entry.objects.filter(pk__in=[i.entry_id for i in items if i.entry_id]),
                       status=EntryStatus.VOID, voided_at=now)
        for item in items:
            if item.invoice and item.invoice.subscription:
                subscription_stop(item.invoice.subscription, now=now)
        _mark_fully_refunded_payments(refund)
        _update_order_status(order, now=now)
        audit(seller=refund.seller, obj=order, action="refund.succeeded", actor=SYSTEM,
              now=now, data={"refund": refund.number, "amount": refund.amount})
        emails.queue_refund_confirmation(refund, now=now)
    return RefundStatus.SUCCEEDED


def _mark_fully_refunded_payments(refund: Refund) -> None:
    for part in refund.parts.select_related("payment"):
        payment = part.payment
        done = (RefundPart.objects.filter(payment=payment, succeeded_at__isnull=False)
                .aggregate(total=Sum("amount"))["total"] or 0)
        if done >= payment.amount and payment.status == PaymentStatus.CONFIRMED:
            Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REFUNDED)


def _update_order_status(order: Order, *, now: datetime) -> None:
    """Refunded when every item of the order is refunded (or void), partially refunded when
    some are. Refunds of money alone (a duplicate payment) leave the order as it is."""
    done = RefundItem.objects.filter(refund__order=order, refund__status=RefundStatus.SUCCEEDED)
    if not done.exists():
        return
    pending = set(_item_keys(RefundItem.objects.filter(refund__order=order, active=True)
                             .exclude(refund__status=RefundStatus.SUCCEEDED)))
    done_keys = set(_item_keys(done))
    everything = all(i.key in done_keys or (i.refunded and i.key not in pending)
                     for i in refundable_items(order))
    target = OrderStatus.REFUNDED if everything else OrderStatus.PARTIALLY_REFUNDED
    if order.status != target and order_rules.can_transition(order.status, target):
        order.status = target
        order.save(update_fields=["status"])


def _item_keys(items):
    for entry, line, invoice in items.values_list("entry__number", "line_id", "invoice__number"):
        yield (f"entry:{entry}" if entry else f"invoice:{invoice}" if invoice
               else f"line:{line}")


def refund_retry(*, refund: Refund, actor: Actor, now: datetime | None = None) -> Refund:
    """An agent sends a failed refund again (same idempotency keys: never twice)."""
    now = now or clock.now()
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != RefundStatus.FAILED:
            raise Conflict("refund_not_failed", f"Refund {refund.number} is {refund.status}.")
        refund.status, refund.attempts, refund.next_attempt_at = (
            RefundStatus.PROCESSING, 0, now)
        refund.needs_attention = False
        refund.save(update_fields=["status", "attempts", "next_attempt_at",
                                   "needs_attention"])
        audit(seller=refund.seller, obj=refund.order, action="refund.retried", actor=actor,
              now=now, data={"refund": refund.number})
        transaction.on_commit(lambda: enqueue_processing(refund.pk))
    return refund


def refunds_sweep(*, now: datetime | None = None, limit: int = 100) -> int:
    now = now or clock.now()
    due = list(Refund.objects.filter(status__in=[RefundStatus.REQUESTED,
                                                 RefundStatus.PROCESSING],
                                     next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in due if refund_process(refund_id=pk, now=now) is not None)
