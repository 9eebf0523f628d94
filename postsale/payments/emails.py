"""Refund e-mails. The customer's copy goes to the order's address in the order's
language; the seller's to the support address (fallback: account) in the seller's."""

from datetime import datetime

from postsale.core.money import format_money
from postsale.notifications.services import notification_queue
from postsale.orders.emails import order_context
from postsale.payments.models import Refund


def refund_context(refund: Refund) -> dict:
    order = refund.order
    return order_context(order) | {"refund": {
        "number": refund.number, "reference": refund.reference, "amount": refund.amount_display,
        "fee": format_money(refund.fee, refund.currency) if refund.fee else "",
        "items": [item.entry.number if item.entry_id else item.line.product.name
                  for item in refund.items.select_related("entry", "line__product")],
        "last_error": refund.last_error, "succeeded_at": refund.succeeded_at,
    }}


def _tags(refund: Refund) -> list[str]:
    return [f"order:{refund.order_id}", f"customer:{refund.order.customer_id}",
            f"refund:{refund.pk}"]


def queue_refund_confirmation(refund: Refund, *, now: datetime | None = None) -> None:
    order, seller = refund.order, refund.seller
    context = refund_context(refund)
    notification_queue(kind="refund_confirmation", to_email=order.email,
                       language=order.language, context=context | {"for_seller": False},
                       tags=_tags(refund), seller=seller, reply_to=seller.reply_to_email,
                       now=now)
    notification_queue(kind="refund_confirmation", to_email=seller.reply_to_email,
                       language=seller.language, context=context | {"for_seller": True},
                       tags=_tags(refund), seller=seller, now=now)


def queue_refund_failed(refund: Refund, *, now: datetime | None = None) -> None:
    seller = refund.seller
    notification_queue(kind="refund_failed", to_email=seller.reply_to_email,
                       language=seller.language, context=refund_context(refund),
                       tags=_tags(refund), seller=seller, now=now)
