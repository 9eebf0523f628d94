"""Pure decisions about orders."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from postsale.orders.models import OrderStatus

# Allowed order transitions (SPEC §5); services refuse anything else.
ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.AWAITING_PAYMENT: {OrderStatus.PAID, OrderStatus.EXPIRED, OrderStatus.CANCELED},
    OrderStatus.PAID: {OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED,
                       OrderStatus.CANCELED},
    OrderStatus.PARTIALLY_REFUNDED: {OrderStatus.REFUNDED, OrderStatus.CANCELED},
    OrderStatus.REFUNDED: set(),
    OrderStatus.CANCELED: set(),
    # A late confirmation may still activate an expired order (seller policy, SPEC §5).
    OrderStatus.EXPIRED: {OrderStatus.PAID, OrderStatus.CANCELED},
}


def can_transition(current: str, target: str) -> bool:
    return target in ORDER_TRANSITIONS.get(current, set())


@dataclass(frozen=True)
class CancelDecision:
    allowed: bool
    code: str = ""  # why not, for machines
    reason: str = ""  # why not, for the agent, with what to do instead


def cancel_decision(status: str) -> CancelDecision:
    """Whether an order in `status` may be canceled. A paid order is not: canceling it is
    refunding it, which returns the money and voids its entries."""
    if status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        return CancelDecision(False, "order_paid", _(
            "The order is paid. To cancel it, refund it: the refund returns the money and "
            "voids its entries."))
    if not can_transition(status, OrderStatus.CANCELED):
        return CancelDecision(False, "order_not_cancelable", _(
            "The order is %(status)s and cannot be canceled.")
            % {"status": OrderStatus(status).label.lower()})
    return CancelDecision(True)


MAX_LINES = 100
MAX_QUANTITY = 100
MAX_ANSWERS = 20
