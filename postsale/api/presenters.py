"""Model → API dict. One place, so every endpoint describes an order the same way."""

from postsale.core.contact import suggest_email
from postsale.orders import links
from postsale.orders.models import Order


def _slot(slot):
    return {"id": slot.pk, "starts_at": slot.starts_at, "ends_at": slot.ends_at} if slot else None


def payment_out(p) -> dict:
    return {"provider": p.provider, "transaction_id": p.provider_transaction_id,
            "amount": p.amount, "currency": p.currency, "status": p.status,
            "created_at": p.created_at, "confirmed_at": p.confirmed_at}


def email_warnings(field: str, email: str) -> list[dict]:
    """A warning when an accepted address looks mistyped (`WarningOut`)."""
    suggestion = suggest_email(email) if email else None
    if not suggestion:
        return []
    return [{"field": field, "code": "email_typo", "suggestion": suggestion,
             "message": f"The e-mail {email} may be a typo of {suggestion}; check it with "
                        "the customer."}]


def order_out(order: Order) -> dict:
    lines = list(order.lines.all())
    entries = list(order.entries.all())
    warnings = email_warnings("customer.email", order.email)
    return {
        "number": order.number, "status": order.status, "channel": order.channel.code,
        "external_id": order.external_id, "currency": order.currency, "total": order.total,
        "created_at": order.created_at, "paid_at": order.paid_at, "email": order.email,
        "customer": {"email": order.customer.email, "first_name": order.customer.first_name,
                     "last_name": order.customer.last_name, "phone": order.customer.phone,
                     "language": order.customer.language},
        "lines": [{"product": line.product.sku, "name": line.product.name,
                   "quantity": line.quantity, "unit_price": line.unit_price,
                   "total": line.total, "time_slot": _slot(line.time_slot)} for line in lines],
        "entries": [{"number": e.number, "secret": e.secret, "status": e.status,
                     "product": e.line.product.sku, "time_slot": _slot(e.time_slot)}
                    for e in entries],
        "payments": [payment_out(p) for p in order.payments.all()],
        "answers": {a.question: a.answer for a in order.answers.all()},
        "order_page_url": links.order_url(order), "thank_you_url": links.thank_you_url(order),
        "warnings": warnings,
    }


def refund_item_key(item) -> str:
    """The key a refund item was requested with (`entry:TID-…`, `invoice:…`, `line:<id>`)."""
    if item.entry_id:
        return f"entry:{item.entry.number}"
    if item.invoice_id:
        return f"invoice:{item.invoice.number}"
    return f"line:{item.line_id}"


def refund_out(refund) -> dict:
    """Expects `items__entry` and `items__invoice` prefetched (see `refunds_of`)."""
    return {"number": refund.number, "status": refund.status, "amount": refund.amount,
            "fee": refund.fee, "currency": refund.currency,
            "requested_by": refund.requested_by, "reason": refund.reason,
            "reasons": list(refund.reasons),
            "items": [{"key": refund_item_key(i), "amount": i.amount}
                      for i in refund.items.all()],
            "attempts": refund.attempts, "last_error": refund.last_error,
            "created_at": refund.created_at, "succeeded_at": refund.succeeded_at}


def eligibility_out(decision, *, items, currency: str) -> dict:
    """`decision`: an Eligibility; `items`: the order's refundable items (for labels)."""
    labels = {i.key: i.label for i in items}
    return {"allowed": decision.allowed, "amount": decision.amount, "fee": decision.fee,
            "currency": currency, "reasons": list(decision.reasons),
            "items": [{"key": d.key, "label": labels.get(d.key, d.key), "allowed": d.allowed,
                       "amount": d.amount, "fee": d.fee, "reasons": list(d.reasons)}
                      for d in decision.items],
            "refunded": [i.key for i in items if i.refunded]}


def exchange_out(exchange) -> dict:
    return {"status": exchange.status, "old_entry": exchange.old_entry.number,
            "new_entry": exchange.new_entry.number,
            "time_slot": _slot(exchange.new_entry.time_slot),
            "difference": exchange.difference, "fee": exchange.fee,
            "currency": exchange.currency, "payment_link": exchange.payment_link,
            "reference": exchange.payment_transaction_id, "expires_at": exchange.expires_at,
            "refund": exchange.refund.number if exchange.refund_id else None,
            "created_at": exchange.created_at, "completed_at": exchange.completed_at}


def exchange_quote_out(quote) -> dict:
    return {"allowed": quote.allowed, "code": quote.code, "reasons": list(quote.reasons),
            "old_price": quote.old_price, "new_price": quote.new_price, "fee": quote.fee,
            "difference": quote.difference, "currency": quote.currency,
            "places_left": quote.places_left}
