"""Words and colours for states, so agents read "awaiting payment" and know what it means."""

from django.utils.translation import gettext_lazy as _

from postsale.notifications.models import NotificationStatus
from postsale.orders.models import EntryStatus, OrderStatus
from postsale.payments.models import PaymentStatus, SubscriptionStatus

# Badge tone per status value; the values of the different state machines agree in
# meaning where they share a name ("refunded", "failed").
TONES = {
    OrderStatus.AWAITING_PAYMENT: "warn",
    OrderStatus.PAID: "ok",
    OrderStatus.PARTIALLY_REFUNDED: "info",
    OrderStatus.REFUNDED: "muted",
    OrderStatus.CANCELED: "muted",
    OrderStatus.EXPIRED: "bad",
    EntryStatus.PENDING: "warn",
    EntryStatus.VALID: "ok",
    EntryStatus.USED: "info",
    EntryStatus.VOID: "muted",
    PaymentStatus.CONFIRMED: "ok",
    PaymentStatus.FAILED: "bad",
    SubscriptionStatus.ACTIVE: "ok",
    NotificationStatus.QUEUED: "warn",
    NotificationStatus.SENT: "ok",
    NotificationStatus.BOUNCED: "bad",
}

ORDER_STATUS_HELP = {
    OrderStatus.AWAITING_PAYMENT: _(
        "The payment provider has not confirmed the payment yet; entries are not valid "
        "until it does."),
    OrderStatus.PAID: _(
        "The payment is confirmed; the entries are valid and were sent to the customer."),
    OrderStatus.PARTIALLY_REFUNDED: _(
        "Part of the money was returned to the customer; entries of the refunded items "
        "are void, the others stay valid."),
    OrderStatus.REFUNDED: _(
        "All the money was returned to the customer; the entries are void."),
    OrderStatus.CANCELED: _(
        "The order was canceled before payment or stopped by the seller; the entries are "
        "not valid."),
    OrderStatus.EXPIRED: _(
        "The payment was not confirmed in time; the entries are not valid. A confirmation "
        "that arrives later still marks the order paid."),
}

# What to tell a customer who says they paid while the order says otherwise (SPEC §5).
LATE_PAYMENT_ADVICE = _(
    "If the customer holds a bank confirmation: advise them to buy again, preferably with "
    "another payment method. If the first payment is confirmed later, refund it.")

NOTIFICATION_KINDS = {
    "order_receipt": _("Receipt"),
    "entries_delivery": _("Entries"),
}


def tone(status: str) -> str:
    return TONES.get(status, "muted")


def order_status_help(status: str) -> str:
    return ORDER_STATUS_HELP.get(status, "")


def order_advice(status: str) -> str:
    if status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.EXPIRED):
        return LATE_PAYMENT_ADVICE
    return ""


def notification_kind_label(kind: str) -> str:
    return NOTIFICATION_KINDS.get(kind, kind.replace("_", " ").capitalize())
