from datetime import datetime

from django.db.models import QuerySet

from postsale.core.errors import NotFound
from postsale.orders.models import Order
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
               created_to: datetime | None = None) -> QuerySet[Order]:
    """Newest first; filters combine with AND. The search box is orders.search."""
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
    return qs.order_by("-created_at", "-id")


# "Find my order" sends at most this many links for one question.
FIND_LIMIT = 5


def orders_for_customer(*, email: str, reference: str, seller: Seller | None = None,
                        limit: int = FIND_LIMIT) -> list[Order]:
    """Orders whose e-mail is `email` (any case) and whose number (PID-…), channel order
    number (external id) or payment id (provider transaction id) is `reference`. Three
    lookups, each on its own index, then the address is compared: never a scan."""
    email, reference = email.strip(), reference.strip()
    if not email or not reference or len(reference) > 128:
        return []
    base = Order.objects.filter(seller=seller) if seller is not None else Order.objects.all()
    ids = set()
    for lookup in ({"number": reference.upper()}, {"external_id": reference},
                   {"payments__provider_transaction_id": reference}):
        ids.update(base.filter(**lookup).values_list("pk", flat=True)[:limit])
    return list(Order.objects.filter(pk__in=ids, email__iexact=email)
                .select_related("seller", "customer").order_by("-created_at")[:limit])
