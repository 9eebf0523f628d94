"""Words and colours for states, so agents read "awaiting payment" and know what it means."""

from django.utils.translation import gettext_lazy as _

from postsale.notifications.models import NotificationStatus
from postsale.orders.models import EntryStatus, OrderStatus
from postsale.payments.models import (
    ExchangeStatus,
    PaymentFlag,
    PaymentStatus,
    RefundStatus,
    SubscriptionStatus,
)

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
    RefundStatus.REQUESTED: "warn",
    RefundStatus.PROCESSING: "info",
    RefundStatus.SUCCEEDED: "ok",
    ExchangeStatus.COMPLETED: "ok",
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
    "refund_confirmation": _("Refund confirmation"),
    "refund_failed": _("Refund failed"),
    "email_changed": _("E-mail address changed"),
    "order_canceled": _("Order canceled"),
    "order_link": _("Link to the order page"),
    "exchange_completed": _("Exchange done"),
    "exchange_canceled": _("Exchange canceled"),
    "exchange_payment": _("Exchange payment link"),
    "member_invited": _("Invitation"),
    "ticket_opened": _("Ticket opened"),
    "ticket_reply": _("Ticket reply"),
    "ticket_changed": _("Ticket changed"),
    "ticket_closed": _("Ticket closed"),
    "ticket_assigned": _("Ticket assigned"),
    "ticket_inactivity": _("Inactivity warning"),
    "ticket_decision": _("Return decision"),
}

REFUND_STATUS_HELP = {
    RefundStatus.REQUESTED: _("Decided and reserved; it is sent to the payment provider "
                              "shortly."),
    RefundStatus.PROCESSING: _("Being sent to the payment provider; failed attempts are "
                               "retried automatically."),
    RefundStatus.SUCCEEDED: _("The payment provider returned the money to the customer."),
    RefundStatus.FAILED: _("The payment provider refused it or could not be reached after "
                           "several attempts. Check the error, then retry."),
}

# What a flag on a payment means and what to do about it (SPEC §5).
FLAG_HELP = {
    PaymentFlag.Kind.DUPLICATE: _(
        "The customer probably paid twice: a second order with the same items a short time "
        "apart, or a second payment of an order already paid. Refund what is not needed."),
    PaymentFlag.Kind.LATE: _(
        "The payment was confirmed after the order had expired or was canceled. Following "
        "the seller's policy the order was activated if places were left; otherwise the "
        "payment is refunded automatically (see Refunds)."),
    PaymentFlag.Kind.PROVIDER_REFUND: _(
        "The payment provider returned this payment by itself, outside postsale (for "
        "example a chargeback). The money is back with the customer, so there is nothing "
        "to refund; if the entries are still valid, decide whether they should be."),
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


def refund_status_help(status: str) -> str:
    return REFUND_STATUS_HELP.get(status, "")


def flag_help(kind: str) -> str:
    return FLAG_HELP.get(kind, "")


def refund_item_label(item) -> str:
    """A RefundItem as agents recognize it: the entry or invoice number, else the product."""
    if item.entry_id:
        return item.entry.number
    if item.invoice_id:
        return item.invoice.number
    return item.line.product.name
