"""The customer view (SPEC §8): everything about one person — orders, tickets, e-mails
with their delivery status, check-ins — matched by their e-mail addresses and phone
numbers across the seller's customer records (postsale.orders.customers)."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.core.errors import NotFound
from postsale.notifications.models import Notification
from postsale.orders.customers import (
    CustomerIdentity,
    MatchedOrder,
    customer_get,
    customer_identity,
    customer_orders,
)
from postsale.orders.models import Customer, Entry
from postsale.sellers.models import Seller
from postsale.tickets.models import Ticket

ORDERS_SHOWN = 200
ROWS_SHOWN = 100


@dataclass(frozen=True)
class CustomerPage:
    identity: CustomerIdentity
    orders: list[MatchedOrder]
    orders_truncated: bool
    other_records: list[Customer]  # other customer records the orders matched
    tickets: list[Ticket]
    notifications: list[Notification]
    check_ins: list[Entry]  # entries used at the gate (the check-in log lands later)


def customer_page(*, seller: Seller, customer_id: int) -> CustomerPage:
    """Raises NotFound when the seller has no such customer."""
    identity = customer_identity(customer_get(seller=seller, customer_id=customer_id))
    orders, truncated = customer_orders(identity=identity, limit=ORDERS_SHOWN)
    order_ids = [m.order.pk for m in orders]
    records = {m.order.customer_id: m.order.customer for m in orders}
    records.setdefault(identity.customer.pk, identity.customer)
    tags = [f"order:{pk}" for pk in order_ids] + [f"customer:{pk}" for pk in records]
    notifications = (Notification.objects.filter(tags__tag__in=tags)
                     .filter(Q(seller=seller) | Q(seller__isnull=True))
                     .defer("body_text", "body_html", "inline_images").distinct()
                     .order_by("-created_at", "-id")[:ROWS_SHOWN])
    tickets = (Ticket.objects.filter(seller=seller, order_id__in=order_ids)
               .select_related("order").order_by("-created_at", "-id")[:ROWS_SHOWN])
    check_ins = (Entry.objects.filter(seller=seller, order_id__in=order_ids,
                                      used_at__isnull=False)
                 .select_related("order", "line__product", "time_slot")
                 .order_by("-used_at", "-id")[:ROWS_SHOWN])
    return CustomerPage(
        identity=identity, orders=orders, orders_truncated=truncated,
        other_records=[c for pk, c in sorted(records.items()) if pk != identity.customer.pk],
        tickets=list(tickets), notifications=list(notifications), check_ins=list(check_ins))


@seller_required(can=Cap.VIEW_CUSTOMERS)
@require_GET
def customer_view(request: HttpRequest, customer: int) -> HttpResponse:
    if not 0 < customer < 2**63:
        raise Http404
    try:
        page = customer_page(seller=request.access.seller, customer_id=customer)
    except NotFound:
        raise Http404 from None
    return render(request, "backoffice/customers/detail.html", {
        "page": page, "customer": page.identity.customer,
        "emails": sorted(page.identity.emails), "phones": sorted(page.identity.phones),
        "rows_shown": ROWS_SHOWN, "orders_shown": ORDERS_SHOWN})
