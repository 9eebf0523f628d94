"""Stopping subscriptions (SPEC §4.1: processing a cancellation refunds nothing and stops
all future billing)."""

from datetime import datetime

from django.db import transaction

from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.orders.models import Order
from postsale.payments.models import Subscription, SubscriptionStatus


def subscriptions_cancel(*, order: Order, actor: Actor, reference: str = "",
                         now: datetime | None = None) -> int:
    """Cancel the order's active subscriptions; returns how many were active."""
    now = now or clock.now()
    with transaction.atomic():
        active = list(Subscription.objects.select_for_update()
                      .filter(order=order, status=SubscriptionStatus.ACTIVE))
        for subscription in active:
            subscription_stop(subscription, now=now)
        if active:
            audit(seller=order.seller, obj=order, action="subscription.canceled", actor=actor,
                  now=now, data={"subscriptions": [s.pk for s in active],
                                 "reference": reference})
    return len(active)


def subscription_stop(subscription: Subscription, *, now: datetime) -> None:
    """No further billing (the caller holds the order's lock)."""
    if subscription.status != SubscriptionStatus.CANCELED:
        subscription.status, subscription.canceled_at = SubscriptionStatus.CANCELED, now
        subscription.save(update_fields=["status", "canceled_at"])


def has_active_subscription(order: Order) -> bool:
    return Subscription.objects.filter(order=order, status=SubscriptionStatus.ACTIVE).exists()
