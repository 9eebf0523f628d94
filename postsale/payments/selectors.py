"""Reads about payments: flags an agent should look at, and what refunds and exchanges
did to an order's entries and lines (for the documents a customer may still get)."""

from django.db.models import Q, QuerySet

from postsale.orders.documents.rules import VoidCause
from postsale.orders.models import Order, OrderStatus
from postsale.payments.models import (
    Exchange,
    ExchangeStatus,
    PaymentFlag,
    PaymentStatus,
    RefundItem,
)


def payment_flags_open(seller) -> QuerySet[PaymentFlag]:
    """Flags waiting for an agent, newest first. A flag drops out when resolved or when
    its payment has been refunded in full.

    What to offer: a `duplicate` flag with `related_order` is a whole second order of the
    same customer — refund that order (refunds.refund_request, which voids its entries);
    without `related_order` it is a second payment of an order already paid — refund the
    payment (payment_refunds.payment_refund). `provider_refund` on a paid order: the money
    is back with the customer while the entries are valid — refund the order's items or
    resolve the flag (payment_flag_resolve)."""
    return (PaymentFlag.objects.filter(seller=seller, resolved_at__isnull=True)
            .exclude(payment__status=PaymentStatus.REFUNDED)
            .select_related("payment__order", "related_order")
            .order_by("-created_at", "-id"))


def payment_flags_of_order(order: Order) -> QuerySet[PaymentFlag]:
    """Every flag about the order's payments, or naming the order as the other one of a
    duplicate pair — resolved ones included, for the order's history."""
    return (PaymentFlag.objects.filter(Q(payment__order=order) | Q(related_order=order),
                                       seller_id=order.seller_id)
            .select_related("payment__order", "related_order")
            .order_by("-created_at", "-id"))


def refunded_line_ids(order: Order) -> set[int]:
    """Lines (without entries) that are refunded or being refunded: their downloads stop.
    A refund that failed frees its items again."""
    if order.status == OrderStatus.REFUNDED:
        return set(order.lines.values_list("pk", flat=True))
    return set(RefundItem.objects.filter(refund__order=order, active=True, entry__isnull=True,
                                         invoice__isnull=True).values_list("line_id", flat=True))


def void_causes(order: Order) -> dict[int, VoidCause]:
    """Why the order's void entries are void, by entry id (when we know)."""
    causes = {entry_id: VoidCause.EXCHANGED for entry_id in Exchange.objects.filter(
        order=order, status=ExchangeStatus.COMPLETED).values_list("old_entry_id", flat=True)}
    causes |= {entry_id: VoidCause.REFUNDED for entry_id in RefundItem.objects.filter(
        refund__order=order, active=True, entry__isnull=False).values_list("entry_id",
                                                                           flat=True)}
    return causes
