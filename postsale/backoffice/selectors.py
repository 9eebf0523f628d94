"""Reads for back-office pages: one function gathers everything a page shows."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from postsale.core.errors import NotFound
from postsale.core.models import AuditEvent
from postsale.notifications.models import Notification
from postsale.notifications.selectors import notifications_tagged
from postsale.orders.models import Entry, EntryStatus, Order, TimeSlot
from postsale.orders.selectors import order_get, order_list
from postsale.payments.models import Exchange, Invoice, PaymentFlag, Refund, Subscription
from postsale.payments.selectors import payment_flags_of_order
from postsale.sellers.models import Seller


def order_rows(*, seller: Seller, **filters) -> QuerySet[Order]:
    """The orders list: only the columns the table needs, joined in one query."""
    return (order_list(seller=seller, **filters).select_related("customer", "channel")
            .only("number", "created_at", "email", "total", "currency", "status",
                  "customer__first_name", "customer__last_name", "channel__name"))


@dataclass(frozen=True)
class OrderPage:
    order: Order
    invoices: list[Invoice]
    subscriptions: list[Subscription]
    notifications: list[Notification]
    history: list[AuditEvent]
    refunds: list[Refund]
    exchanges: list[Exchange]
    flags: list[PaymentFlag]


def order_page(*, seller: Seller, number: str) -> OrderPage:
    """Raises NotFound when the seller has no such order."""
    order = order_get(seller=seller, number=number)
    payments = list(order.payments.all())
    subscriptions = list(order.subscriptions.select_related("line__product"))
    subjects = [f"order:{order.pk}", *(f"payment:{p.pk}" for p in payments),
                *(f"subscription:{s.pk}" for s in subscriptions),
                *(f"entry:{e.pk}" for e in order.entries.all())]
    history = (AuditEvent.objects.filter(seller=seller, subject__in=subjects)
               .select_related("actor_user").order_by("-created_at", "-id"))
    return OrderPage(
        order=order,
        invoices=list(order.invoices.all()),
        subscriptions=subscriptions,
        notifications=list(notifications_tagged(f"order:{order.pk}").defer(
            "body_text", "body_html", "inline_images")),
        history=list(history),
        refunds=list(order_refunds(order)),
        exchanges=list(Exchange.objects.filter(order=order).select_related(
            "old_entry__time_slot", "new_entry__time_slot", "refund")),
        flags=list(payment_flags_of_order(order)),
    )


def order_refunds(order: Order) -> QuerySet[Refund]:
    return (Refund.objects.filter(order=order)
            .prefetch_related("items__entry", "items__invoice", "items__line__product")
            .order_by("-created_at", "-id"))


def recent_refund_by(*, order: Order, user, keys: list[str], since: datetime) -> Refund | None:
    """A refund of (some of) `keys` this user requested on the order since `since`: what a
    second click on "Confirm refund" finds instead of a new refund."""
    events = AuditEvent.objects.filter(seller=order.seller, subject=f"order:{order.pk}",
                                       action="refund.requested", actor_user=user,
                                       created_at__gte=since).order_by("-created_at", "-id")
    for event in events:
        items = set(event.data.get("items") or [])
        if items and items <= set(keys):
            return Refund.objects.filter(order=order, number=event.data.get("refund")).first()
    return None


@dataclass(frozen=True)
class SlotChoice:
    slot: TimeSlot
    places_left: int

    @property
    def full(self) -> bool:
        return self.places_left <= 0


def exchange_entry(*, order: Order, number: str) -> Entry:
    """The order's entry `number`, with its line, product and slot; NotFound otherwise."""
    entry = (Entry.objects.filter(order=order, number=number)
             .select_related("line__product", "time_slot").first())
    if entry is None:
        raise NotFound(f"No entry {number} on order {order.number}.", code="entry_not_found")
    return entry


def exchange_slots(*, entry: Entry, now: datetime, limit: int = 50) -> list[SlotChoice]:
    """Upcoming time slots the entry could move to — of its product, or of a product in
    the same exchange group — with the places left (every entry that is not void holds
    one). The exchange service decides; this only offers."""
    product = entry.line.product
    products = Q(product_id=product.pk)
    if product.exchange_group:
        products |= Q(product__seller_id=product.seller_id, product__active=True,
                      product__exchange_group=product.exchange_group)
    slots = (TimeSlot.objects.filter(products, starts_at__gt=now)
             .exclude(pk=entry.time_slot_id).select_related("product")
             .annotate(taken=Count("entries", filter=~Q(entries__status=EntryStatus.VOID)))
             .order_by("starts_at", "pk")[:limit])
    return [SlotChoice(slot=s, places_left=max(s.capacity - s.taken, 0)) for s in slots]


def recent_exchange_by(*, order: Order, user, entry_number: str, slot_id: int,
                       since: datetime) -> Exchange | None:
    """The exchange of this entry into this slot the user made since `since`: what a
    second click on "Confirm exchange" finds instead of an error."""
    event = (AuditEvent.objects.filter(seller=order.seller, subject=f"order:{order.pk}",
                                       action="exchange.created", actor_user=user,
                                       created_at__gte=since,
                                       data__entry=entry_number, data__time_slot=slot_id)
             .order_by("-created_at", "-id").first())
    if event is None:
        return None
    return (Exchange.objects.filter(order=order, pk=event.data.get("exchange"))
            .select_related("old_entry", "new_entry__time_slot", "refund").first())
