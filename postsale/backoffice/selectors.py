"""Reads for back-office pages: one function gathers everything a page shows."""

from dataclasses import dataclass

from django.db.models import QuerySet

from postsale.core.models import AuditEvent
from postsale.notifications.models import Notification
from postsale.notifications.selectors import notifications_tagged
from postsale.orders.models import Order
from postsale.orders.selectors import order_get, order_list
from postsale.payments.models import Invoice, Subscription
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
    )
