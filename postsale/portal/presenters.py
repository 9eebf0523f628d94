"""What the customer reads: statuses in plain words, the ticket types they can choose, and
the refund preview (eligibility and the processing time) shown before they ask. Reads
only; the decisions themselves come from the payments and tickets rules."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postsale.core.errors import DomainError
from postsale.core.money import format_money
from postsale.orders.models import Order, OrderStatus
from postsale.payments.eligibility import refund_eligibility, refundable_items
from postsale.payments.rules import Eligibility, Item, RequestedBy
from postsale.payments.subscriptions import has_active_subscription
from postsale.tickets.models import Resolution, Side, Ticket, TicketStatus, TicketType
from postsale.tickets.selectors import open_request
from postsale.tickets.services import process_time_for

REFUNDABLE_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
ORDER_STATUS_WORDS = {
    OrderStatus.AWAITING_PAYMENT: gettext_lazy(
        "We are waiting for the payment to be confirmed. Your order becomes valid as soon "
        "as it is."),
    OrderStatus.PAID: gettext_lazy("Your order is confirmed."),
    OrderStatus.PARTIALLY_REFUNDED: gettext_lazy(
        "Part of this order has been refunded; the rest is still valid."),
    OrderStatus.REFUNDED: gettext_lazy("The whole order has been refunded."),
    OrderStatus.CANCELED: gettext_lazy("This order was canceled; it is not valid."),
    OrderStatus.EXPIRED: gettext_lazy(
        "The payment was not confirmed in time, so this order expired."),
}


@dataclass(frozen=True)
class TypeOption:
    value: str
    label: str
    help: str


def type_options(order: Order) -> list[TypeOption]:
    """The kinds of ticket a customer may open on this order: cancellation only while it
    has a subscription to stop."""
    options = [
        TypeOption(TicketType.SUPPORT, _("A question or a problem"),
                   _("Help with your order, the e-mail with your tickets, access or "
                     "anything else.")),
        TypeOption(TicketType.REFUND, _("A refund"),
                   _("Money back for the whole order or for some of it.")),
        TypeOption(TicketType.CANCELLATION, _("Cancel my subscription"),
                   _("Stop all future payments.")),
        TypeOption(TicketType.RETURN, _("A return or a complaint"),
                   _("A faulty or missing item, or withdrawing from the purchase.")),
        TypeOption(TicketType.EXCHANGE, _("Another date or time"),
                   _("Change the date, the time slot or the seat.")),
    ]
    if not has_active_subscription(order):
        options = [o for o in options if o.value != TicketType.CANCELLATION]
    return options


CLOSED_WORDS = {
    Resolution.SOLVED: gettext_lazy("Closed: solved"),
    Resolution.REFUNDED: gettext_lazy("Closed: refunded"),
    Resolution.CANCELED: gettext_lazy("Closed: subscription canceled"),
    Resolution.WITHDRAWN: gettext_lazy("Closed: you withdrew the request"),
    Resolution.SAVED: gettext_lazy("Closed by the seller"),
    Resolution.INACTIVE: gettext_lazy("Closed: no activity for a while"),
    Resolution.ACCEPTED: gettext_lazy("Closed: return accepted"),
    Resolution.REJECTED: gettext_lazy("Closed: return rejected"),
}


def ticket_status_words(ticket: Ticket) -> str:
    if ticket.is_closed:
        return str(CLOSED_WORDS.get(ticket.resolution, _("Closed")))
    if ticket.status == TicketStatus.NEW:
        return _("Received; the seller has not looked at it yet")
    if ticket.status == TicketStatus.IN_REVIEW:
        return _("The seller is reviewing it")
    if ticket.status == TicketStatus.ACCEPTED:
        return _("Accepted by the seller")
    if ticket.status == TicketStatus.REJECTED:
        return _("Rejected by the seller")
    if ticket.is_request and ticket.process_at:
        return _("Received; waiting to be processed")
    if ticket.waiting_on == Side.CUSTOMER:
        return _("Waiting for your answer")
    return _("Waiting for the seller's answer")


def request_process_time(order: Order, now: datetime) -> datetime:
    """When a request asked by the customer now would be processed."""
    return process_time_for(order.seller, by=Side.CUSTOMER, asked_at=now)


@dataclass(frozen=True)
class RefundPreview:
    """What the customer would get if they asked now, before they ask."""

    items: list[Item]
    keys: list[str] | None  # None: everything still refundable
    decision: Eligibility | None = None
    error: str = ""
    process_at: datetime | None = None
    at_once: bool = False  # processed as soon as it is asked
    pending: Ticket | None = None  # a request already waiting
    refundable: bool = False  # the order is paid (refund requests are possible at all)
    currency: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def open_items(self) -> list[Item]:
        return [i for i in self.items if not i.refunded]

    @property
    def checked_keys(self) -> set[str]:
        return {i.key for i in self.open_items} if self.keys is None else set(self.keys)

    @property
    def amount(self) -> str:
        return format_money(self.decision.amount, self.currency) if self.decision else ""

    @property
    def fee(self) -> str:
        return format_money(self.decision.fee, self.currency) if self.decision else ""

    @property
    def refused(self) -> list[str]:
        """The items the customer chose that would not be refunded."""
        if not self.decision:
            return []
        return [self.labels.get(d.key, d.key) for d in self.decision.items if not d.allowed]


def refund_preview(order: Order, keys: list[str] | None, *, now: datetime,
                   ticket: Ticket | None = None) -> RefundPreview:
    """For a new request, or for `ticket` changed into one."""
    items = refundable_items(order)
    common = {"items": items, "keys": keys, "currency": order.currency,
              "labels": {i.key: i.label for i in items},
              "pending": open_request(order, besides=ticket),
              "refundable": order.status in REFUNDABLE_STATUSES}
    try:
        decision = refund_eligibility(order=order, by=RequestedBy.CUSTOMER, at=now, keys=keys)
    except DomainError as exc:  # items that are not part of the order
        return RefundPreview(error=" ".join([exc.message, *exc.field_errors.values()]),
                             **common)
    process_at = request_process_time(order, now) if decision.allowed else None
    return RefundPreview(decision=decision, process_at=process_at,
                         at_once=process_at is not None and process_at <= now, **common)


def chosen_keys(data, items: list[Item]) -> list[str] | None:
    """The refund items a form named. None (the whole order) when the form had no item
    list, or when every item still refundable is chosen."""
    if "items_shown" not in data:
        return None
    keys = list(dict.fromkeys(k.strip() for k in data.getlist("items") if k.strip()))
    open_keys = {i.key for i in items if not i.refunded}
    if open_keys and set(keys) == open_keys:
        return None
    return keys
