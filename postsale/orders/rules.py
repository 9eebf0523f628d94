"""Pure decisions about orders."""

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


MAX_LINES = 100
MAX_QUANTITY = 100
MAX_ANSWERS = 20
