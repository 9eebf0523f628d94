"""Model → API dict. One place, so every endpoint describes an order the same way."""

from postsale.core.contact import suggest_email
from postsale.orders.models import Order


def _slot(slot):
    return {"id": slot.pk, "starts_at": slot.starts_at, "ends_at": slot.ends_at} if slot else None


def payment_out(p) -> dict:
    return {"provider": p.provider, "transaction_id": p.provider_transaction_id,
            "amount": p.amount, "currency": p.currency, "status": p.status,
            "created_at": p.created_at, "confirmed_at": p.confirmed_at}


def order_out(order: Order) -> dict:
    lines = list(order.lines.all())
    entries = list(order.entries.all())
    warnings = []
    if suggestion := suggest_email(order.email):
        warnings.append(f"The e-mail {order.email} may be a typo of {suggestion}.")
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
        "warnings": warnings,
    }
