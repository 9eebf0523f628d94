"""Exchange e-mails to the customer: pay the difference, the new entry, the exchange
canceled. What they say is decided here; rendering and delivery are the outbox's."""

from datetime import datetime

from postsale.core.money import format_money
from postsale.notifications.services import notification_queue
from postsale.orders.emails import order_context
from postsale.orders.models import Entry, Order
from postsale.orders.qr import qr_png
from postsale.payments.models import Exchange, ProviderAccount


def _entry(entry: Entry) -> dict:
    entry = Entry.objects.select_related("line__product", "time_slot").get(pk=entry.pk)
    return {"number": entry.number, "product": entry.line.product.name,
            "time_slot": entry.time_slot.starts_at if entry.time_slot else None,
            "qr_cid": f"qr-{entry.number}"}


def exchange_context(exchange: Exchange) -> tuple[Order, dict]:
    order = Order.objects.select_related("seller", "customer").get(pk=exchange.order_id)
    money = lambda amount: format_money(amount, exchange.currency)  # noqa: E731
    return order, order_context(order) | {"exchange": {
        "old": _entry(exchange.old_entry), "new": _entry(exchange.new_entry),
        "to_pay": money(exchange.difference) if exchange.difference > 0 else "",
        "to_refund": money(-exchange.difference) if exchange.difference < 0 else "",
        "fee": money(exchange.fee) if exchange.fee else "",
        "link": exchange.payment_link, "reference": exchange.payment_transaction_id,
        "expires_at": exchange.expires_at, "by_seller": exchange.requested_by == "seller",
    }}


def _queue(kind: str, exchange: Exchange, *, now: datetime, extra: dict | None = None,
           images: dict[str, bytes] | None = None) -> None:
    order, context = exchange_context(exchange)
    notification_queue(
        kind=kind, to_email=order.email, language=order.language,
        context=context | (extra or {}), seller=order.seller,
        tags=[f"order:{order.pk}", f"customer:{order.customer_id}",
              f"exchange:{exchange.pk}"],
        reply_to=order.seller.reply_to_email, inline_images=images, now=now)


def queue_exchange_payment(exchange: Exchange, *, now: datetime) -> None:
    """The difference to pay: a link, or a bank transfer with the reference (account
    details from the seller's `manual` provider account: bank_account, account_holder)."""
    bank = {}
    if not exchange.payment_link:
        account = ProviderAccount.objects.filter(seller_id=exchange.seller_id,
                                                 provider="manual", active=True).first()
        config = account.config if account else {}
        bank = {"account": config.get("bank_account", ""),
                "holder": config.get("account_holder", "")}
    _queue("exchange_payment", exchange, now=now, extra={"bank": bank})


def queue_exchange_completed(exchange: Exchange, *, now: datetime) -> None:
    new = exchange.new_entry
    _queue("exchange_completed", exchange, now=now,
           images={f"qr-{new.number}": qr_png(new.secret)})


def queue_exchange_canceled(exchange: Exchange, *, expired: bool, now: datetime) -> None:
    _queue("exchange_canceled", exchange, now=now, extra={"expired": expired})
