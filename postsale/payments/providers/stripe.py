"""Stripe: cards and wallets, confirmed by signed webhooks, refunded through the Refunds API.

Config (`ProviderAccount.config`):
- `secret_key`: the account's secret or restricted key (`sk_…`/`rk_…`; needs PaymentIntents
  read, Refunds write, Checkout Sessions write).
- `webhook_secret`: the signing secret (`whsec_…`) of the webhook endpoint
  `https://<host>/hooks/payments/stripe/<seller slug>`.
- `api_base` (optional): another API address; tests point it at a local fake server.
- `success_url` (optional): where Checkout sends the customer after paying a payment link.
- `timeout` (optional): seconds to wait for the API, default 10.

A payment started elsewhere must carry `metadata.order_number` (the order's PID-…) on its
PaymentIntent (or Checkout Session); `payment_link()` sets it. The transaction id is the
PaymentIntent id. Events used: payment_intent.succeeded / .processing / .payment_failed /
.canceled, checkout.session.completed / .async_payment_succeeded / .async_payment_failed,
and charge.refunded (a refund made in Stripe itself; only a full one changes the status).
Anything else is acknowledged and ignored."""

from datetime import UTC, datetime

import stripe as stripe_lib

from postsale.payments.models import PaymentStatus
from postsale.payments.providers.base import (
    InvalidNotification,
    PaymentProvider,
    ProviderEvent,
    ProviderRejected,
    ProviderUnavailable,
    RefundResult,
    Transaction,
)

TOLERANCE = 300  # seconds a signed webhook stays valid (Stripe's default)
TIMEOUT = 10.0

_INTENT_EVENTS = {
    "payment_intent.succeeded": PaymentStatus.CONFIRMED,
    "payment_intent.processing": PaymentStatus.PENDING,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.canceled": PaymentStatus.FAILED,
}
_SESSION_EVENTS = {
    "checkout.session.async_payment_succeeded": PaymentStatus.CONFIRMED,
    "checkout.session.async_payment_failed": PaymentStatus.FAILED,
}
_INTENT_STATUS = {
    "succeeded": PaymentStatus.CONFIRMED,
    "canceled": PaymentStatus.FAILED,
    "requires_payment_method": PaymentStatus.PENDING,  # also after a declined attempt
}


class StripeProvider(PaymentProvider):
    name = "stripe"
    label = "Stripe"

    def parse_notification(self, *, body, headers, config):
        secret = config.get("webhook_secret")
        if not secret:
            raise InvalidNotification("No Stripe webhook signing secret is configured.")
        signature = _header(headers, "Stripe-Signature")
        if not signature:
            raise InvalidNotification("The Stripe-Signature header is missing.")
        try:
            event = stripe_lib.Webhook.construct_event(body, signature, secret, TOLERANCE)
        except stripe_lib.SignatureVerificationError as exc:
            raise InvalidNotification(f"Wrong Stripe signature: {exc.user_message}") from None
        except (ValueError, TypeError, KeyError, AttributeError):  # not UTF-8 or JSON, odd header
            raise InvalidNotification("The body is not a Stripe event.") from None
        try:
            found = _event_of(event.to_dict())
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InvalidNotification("The Stripe event is not in the expected shape.") from None
        return [found] if found else []

    def refund(self, *, transaction_id, amount, currency, idempotency_key, config):
        target = "charge" if transaction_id.startswith(("ch_", "py_")) else "payment_intent"

        def send(client):
            return _refund_made(client, {target: transaction_id}, idempotency_key) \
                or client.v1.refunds.create(
                    params={target: transaction_id, "amount": amount,
                            "metadata": {"postsale_refund": idempotency_key}},
                    options={"idempotency_key": idempotency_key})

        refund = _call(config, send)
        if refund.status in ("failed", "canceled"):
            raise ProviderRejected(f"Stripe refund {refund.id} {refund.status}: "
                                   f"{getattr(refund, 'failure_reason', '') or 'no reason given'}.")
        return RefundResult(provider_refund_id=refund.id,
                            status="succeeded" if refund.status == "succeeded" else "pending")

    def lookup(self, *, transaction_id, config):
        intent = _call(config, lambda client: client.v1.payment_intents.retrieve(
            transaction_id, params={"expand": ["latest_charge"]}))
        charge = intent.latest_charge if not isinstance(intent.latest_charge, str) else None
        refunded = charge.amount_refunded if charge else 0
        status = _INTENT_STATUS.get(intent.status, PaymentStatus.PENDING)
        if charge and charge.refunded:
            status = PaymentStatus.REFUNDED
        return Transaction(transaction_id=intent.id, status=status,
                           amount=intent.amount_received or intent.amount,
                           currency=intent.currency.upper(), refunded_amount=refunded)

    def payment_link(self, *, order_number, reference, amount, currency, description, config):
        metadata = {"order_number": order_number, "reference": reference}
        params = {
            "mode": "payment", "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "line_items": [{"quantity": 1, "price_data": {
                "currency": currency.lower(), "unit_amount": amount,
                "product_data": {"name": description[:250] or order_number}}}],
        }
        if config.get("success_url"):
            params["success_url"] = config["success_url"]
        session = _call(config, lambda client: client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"link-{order_number}-{reference}"}))
        return session.url


def _event_of(event: dict) -> ProviderEvent | None:
    kind, obj = event["type"], event["data"]["object"]
    if kind in _INTENT_EVENTS:
        return _event(event, obj, status=_INTENT_EVENTS[kind], transaction_id=obj["id"],
                      amount=obj.get("amount_received") or obj["amount"])
    if kind == "checkout.session.completed" or kind in _SESSION_EVENTS:
        status = _SESSION_EVENTS.get(kind) or (
            PaymentStatus.CONFIRMED if obj.get("payment_status") == "paid"
            else PaymentStatus.PENDING)
        if not obj.get("payment_intent") or obj.get("payment_status") == "no_payment_required":
            return None
        return _event(event, obj, status=status, transaction_id=_id(obj["payment_intent"]),
                      amount=obj["amount_total"])
    if kind == "charge.refunded" and obj.get("refunded"):
        return _event(event, obj, status=PaymentStatus.REFUNDED,
                      transaction_id=_id(obj.get("payment_intent")) or obj["id"],
                      amount=obj["amount"])
    return None


def _event(event: dict, obj: dict, *, status: str, transaction_id: str,
           amount: int) -> ProviderEvent:
    if not isinstance(amount, int) or amount < 0:
        raise ValueError("amount")
    if not all(isinstance(v, str) for v in (transaction_id, event["id"], obj.get("id", ""))):
        raise ValueError("ids must be strings")
    metadata = obj.get("metadata") or {}
    return ProviderEvent(
        order_number=str(metadata.get("order_number") or "")[:32],
        transaction_id=str(transaction_id)[:128], status=status, event_id=str(event["id"]),
        amount=amount, currency=str(obj["currency"]).upper()[:3],
        occurred_at=datetime.fromtimestamp(int(event["created"]), tz=UTC),
        raw={"type": str(event["type"]), "event": event["id"], "object": obj.get("id", ""),
             "reference": str(metadata.get("reference") or "")[:64],
             "livemode": bool(event.get("livemode"))})


def _id(value) -> str:
    """An expandable field: an id, or the object itself."""
    return value["id"] if isinstance(value, dict) else (value or "")


def _refund_made(client, payment: dict, key: str):
    """The refund an earlier attempt with this key made, if any: Stripe forgets idempotency
    keys after 24 hours, and an agent may retry a failed refund days later."""
    made = client.v1.refunds.list(params={**payment, "limit": 100})
    return next((r for r in made.data
                 if (r.to_dict().get("metadata") or {}).get("postsale_refund") == key), None)


def _header(headers, name: str) -> str:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), "")


def _call(config: dict, request):
    """Run one API request with a client of our own: no library retries (the refund
    worker retries with backoff) and a short timeout."""
    if not config.get("secret_key"):
        raise ProviderRejected("No Stripe secret key is configured for this seller.")
    http_client = stripe_lib.RequestsClient(timeout=float(config.get("timeout", TIMEOUT)))
    client = stripe_lib.StripeClient(
        config["secret_key"], http_client=http_client, max_network_retries=0,
        base_addresses={"api": config["api_base"]} if config.get("api_base") else None)
    try:
        return request(client)
    except stripe_lib.StripeError as exc:
        raise _translated(exc) from exc
    finally:
        http_client.close()


def _translated(exc: stripe_lib.StripeError) -> Exception:
    message = f"Stripe: {exc.user_message or exc}"
    status = exc.http_status
    if isinstance(exc, stripe_lib.APIConnectionError) or status is None or status >= 500 \
            or status in (409, 429):
        return ProviderUnavailable(message)  # network, outage, rate limit, same key in flight
    return ProviderRejected(message)
