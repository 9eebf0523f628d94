"""Reads about payments for the back office: flags an agent should look at."""

from django.db.models import Q, QuerySet

from postsale.orders.models import Order
from postsale.payments.models import PaymentFlag, PaymentStatus


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
