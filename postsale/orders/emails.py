"""The order e-mails (receipt, entries delivery, cancellation): what they say is decided here, how they
are rendered and delivered is the outbox's business."""

from datetime import datetime

from postsale.core.money import format_money
from postsale.notifications.services import notification_queue
from postsale.orders.models import Entry, EntryStatus, Order
from postsale.orders.qr import qr_png


def order_context(order: Order) -> dict:
    seller = order.seller
    lines = [{"name": line.product.name, "quantity": line.quantity,
              "unit_price": format_money(line.unit_price, order.currency),
              "total": format_money(line.total, order.currency),
              "time_slot": line.time_slot.starts_at if line.time_slot else None}
             for line in order.lines.select_related("product", "time_slot")]
    return {
        "seller": {"name": seller.name, "support_email": seller.reply_to_email},
        "tz": seller.time_zone,
        "order": {"number": order.number, "created_at": order.created_at,
                  "paid_at": order.paid_at, "total": order.total_display},
        "customer": {"name": order.customer.full_name, "email": order.email},
        "lines": lines,
    }


def _tags(order: Order) -> list[str]:
    return [f"order:{order.pk}", f"customer:{order.customer_id}"]


def to_customer(order: Order, now: datetime | None) -> dict:
    """`notification_queue` arguments of every order e-mail to the customer: the order's
    address and language, filed under the order and the customer."""
    return {"to_email": order.email, "language": order.language, "tags": _tags(order),
            "seller": order.seller, "reply_to": order.seller.reply_to_email, "now": now}


def queue_canceled_order_mail(order: Order, *, now: datetime | None = None) -> None:
    """An unpaid order the seller canceled: its entries are void, a late payment comes
    back (SPEC §5) — the customer must not pay for it by transfer tomorrow."""
    notification_queue(kind="order_canceled", context=order_context(order),
                       **to_customer(order, now))


def queue_paid_order_mail(order: Order, *, now: datetime | None = None) -> None:
    """The receipt, and the entries (with their QR codes) when the order has any."""
    context = order_context(order)
    common = to_customer(order, now)
    notification_queue(kind="order_receipt", context=context, **common)
    entries = list(Entry.objects.filter(order=order, status=EntryStatus.VALID)
                   .select_related("line__product", "time_slot"))
    if not entries:
        return
    notification_queue(
        kind="entries_delivery", inline_images={f"qr-{e.number}": qr_png(e.secret)
                                                for e in entries},
        context=context | {"entries": [
            {"number": e.number, "product": e.line.product.name,
             "time_slot": e.time_slot.starts_at if e.time_slot else None,
             "qr_cid": f"qr-{e.number}"} for e in entries]},
        **common)
