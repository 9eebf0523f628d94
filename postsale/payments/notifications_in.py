"""Notifications from payment providers (`POST /hooks/payments/<provider>/<seller>`).

Each one is kept as a ProviderNotification, accepted or not: the evidence when a customer
says they paid. A verified one becomes payment events through `payment_record_event`, so a
repeat (same provider event id) changes nothing.

Which order an event belongs to: we hand the order number to the provider when a payment
starts (Stripe `metadata.order_number`, Autopay OrderID) and it comes back with every
notification. An event without it is matched by its transaction id to a payment we already
know; an event that has neither is not ours (a seller's other shop on the same account) and
is acknowledged without a change. An order number of another seller is an unknown order.
A further payment of an order (an exchange's difference) carries our reference too.

A refund reported by the provider that no refund of ours covers (the gateway's own) is
recorded and flagged by the payment services (settlement.provider_refund_recorded)."""

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from postsale.core import clock
from postsale.core.audit import Actor
from postsale.core.errors import DomainError
from postsale.payments.models import Payment, ProviderAccount, ProviderNotification
from postsale.payments.providers import PROVIDERS
from postsale.payments.providers.base import (
    InvalidNotification,
    PaymentProvider,
    ProviderEvent,
    Reply,
)
from postsale.payments.services import PaymentReport, payment_record_event
from postsale.sellers.models import Seller

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
# Kept with each notification; never cookies or authorization.
KEPT_HEADERS = ("content-type", "user-agent", "stripe-signature", "x-forwarded-for")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


@dataclass(frozen=True)
class _Outcome:
    event: ProviderEvent
    status: int  # 200: applied or a repeat; otherwise why it was not
    detail: str


def provider_notification_receive(*, provider_name: str, seller_slug: str, body: bytes,
                                  headers: Mapping[str, str],
                                  now: datetime | None = None) -> Reply:
    """Verify, keep and apply one provider notification; the reply for the provider."""
    now = now or clock.now()
    provider = PROVIDERS.get(provider_name)
    seller = (Seller.objects.filter(slug=seller_slug).first()
              if SLUG.fullmatch(seller_slug) else None)
    account = (ProviderAccount.objects.filter(seller=seller, provider=provider_name,
                                              active=True).first()
               if provider and seller else None)
    if account is None:
        error = ("unknown provider" if provider is None else
                 "unknown seller" if seller is None else "no active account")
        _keep(seller, provider_name, body, headers, now, verified=False, error=error)
        log.warning("Payment notification for %r/%r refused: %s", provider_name[:32],
                    seller_slug[:50], error)  # %r: the names are anyone's input
        return Reply(status=404, body="Unknown provider or seller.")
    try:
        events = provider.parse_notification(body=body, headers=headers, config=account.config)
    except InvalidNotification as exc:
        _keep(seller, provider.name, body, headers, now, verified=False, error=str(exc))
        log.warning("Payment notification for %s/%s refused: %s", provider.name, seller.slug,
                    exc)
        return provider.reject_reply(exc)
    notification = _keep(seller, provider.name, body, headers, now, verified=True)
    outcomes = [_apply(seller=seller, provider=provider, event=e, now=now) for e in events]
    return _reply(provider, account, notification, outcomes)


def _reply(provider: PaymentProvider, account: ProviderAccount,
           notification: ProviderNotification, outcomes: list[_Outcome]) -> Reply:
    declined = [o for o in outcomes if o.status != 200]
    reply = provider.reply([o.event for o in outcomes], config=account.config,
                           declined=frozenset(o.event.event_id for o in declined))
    if not declined:
        return reply
    summary = "; ".join(o.detail for o in declined)
    ProviderNotification.objects.filter(pk=notification.pk).update(error=summary[:300])
    log.warning("Payment notification %s from %s not applied: %s", notification.pk,
                provider.name, summary)
    return replace(reply, status=declined[0].status, body=reply.body or summary)


def _apply(*, seller: Seller, provider: PaymentProvider, event: ProviderEvent,
           now: datetime) -> _Outcome:
    if not _storable(event):
        return _Outcome(event, 400, "The event holds characters that cannot be stored.")
    order_number = order_number_for(seller=seller, provider=provider.name, event=event)
    if order_number is None:
        return _Outcome(event, 200, "Not a payment of this installation; ignored.")
    report = PaymentReport(provider=provider.name, transaction_id=event.transaction_id,
                           status=event.status, amount=event.amount, currency=event.currency,
                           event_id=event.event_id, occurred_at=event.occurred_at,
                           reference=event.raw.get("reference") or None)
    actor = Actor("system", f"{provider.name} notification")
    try:
        result = payment_record_event(seller=seller, order_number=order_number,
                                      report=report, source=f"hook:{provider.name}",
                                      actor=actor, payload=event.raw, now=now)
    except DomainError as exc:  # unknown order (404), another order's transaction (409)…
        return _Outcome(event, exc.status, f"{order_number}: {exc.message}")
    return _Outcome(event, 200, result.detail)


def order_number_for(*, seller: Seller, provider: str, event: ProviderEvent) -> str | None:
    """The provider's reference → our order number (None: not one of our payments)."""
    if event.order_number:
        return event.order_number
    known = (Payment.objects.filter(seller=seller, provider=provider,
                                    provider_transaction_id=event.transaction_id)
             .values_list("order__number", flat=True).first())
    return known


def _storable(event: ProviderEvent) -> bool:
    """PostgreSQL text and JSON cannot hold NUL; a signed event with one is refused."""
    values = (event.order_number, event.transaction_id, event.event_id, event.currency or "",
              json.dumps(event.raw))
    return not any("\x00" in v or "\\u0000" in v for v in values)


def _keep(seller: Seller | None, provider: str, body: bytes, headers: Mapping[str, str],
          now: datetime, *, verified: bool, error: str = "") -> ProviderNotification:
    kept = {k.lower(): _text(str(v)[:500]) for k, v in headers.items()
            if k.lower() in KEPT_HEADERS}
    return ProviderNotification.objects.create(
        seller=seller, provider=_text(provider[:32]), received_at=now, verified=verified,
        error=_text(error[:300]), body=_text(body[:MAX_BODY].decode("utf-8", "replace")),
        headers=kept)


def _text(value: str) -> str:
    return value.replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL
