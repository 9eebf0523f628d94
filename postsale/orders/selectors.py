from datetime import datetime

from django.db.models import Q, QuerySet

from postsale.core.errors import NotFound
from postsale.orders.models import Entry, Order
from postsale.sellers.models import Seller


def orders_with_details(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("channel", "customer", "seller").prefetch_related(
        "lines__product", "lines__time_slot", "entries__line__product", "entries__time_slot",
        "payments", "answers")


def order_get(*, seller: Seller, number: str) -> Order:
    order = orders_with_details(Order.objects.filter(seller=seller, number=number)).first()
    if order is None:
        raise NotFound(f"No order {number} for this seller.", code="order_not_found")
    return order


def order_list(*, seller: Seller, status: str | None = None, channel: str | None = None,
               email: str | None = None, created_from: datetime | None = None,
               created_to: datetime | None = None, q: str | None = None) -> QuerySet[Order]:
    """Newest first; filters combine with AND."""
    qs = Order.objects.filter(seller=seller)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel__code=channel)
    if email:
        qs = qs.filter(email__iexact=email.strip())
    if created_from:
        qs = qs.filter(created_at__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__lt=created_to)
    if q:
        q = q.strip()
        prefix = q[:4].upper()
        # Public numbers are upper-case and unique: an exact match hits the unique index
        # instead of scanning every order of the seller.
        if prefix == "PID-":
            qs = qs.filter(number=q.upper())
        elif prefix == "TID-":
            qs = qs.filter(pk__in=Entry.objects.filter(seller=seller, number=q.upper())
                           .values("order_id"))
        else:
            qs = qs.filter(Q(email__iexact=q) | Q(external_id=q)
                           | Q(customer__last_name__iexact=q))
    return qs.order_by("-created_at", "-id")
