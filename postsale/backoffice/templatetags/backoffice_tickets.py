"""Template helpers for ticket pages: the countdown and status badges of tickets, and the
items an agent can name when opening a refund ticket from the order page."""

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html

from postsale.backoffice.countdown import Countdown, ticket_countdown
from postsale.core import clock
from postsale.payments.eligibility import refundable_items
from postsale.payments.rules import Item
from postsale.tickets.models import Side, TicketStatus, TicketType

register = template.Library()

STATUS_TONES = {
    TicketStatus.OPEN: "info",
    TicketStatus.NEW: "warn",
    TicketStatus.IN_REVIEW: "info",
    TicketStatus.ACCEPTED: "ok",
    TicketStatus.REJECTED: "bad",
    TicketStatus.CLOSED: "muted",
}


@register.simple_tag
def ticket_badge(ticket):
    return format_html('<span class="badge badge--{}" data-status="{}">{}</span>',
                       STATUS_TONES.get(ticket.status, "muted"), ticket.status,
                       ticket.get_status_display())


@register.simple_tag
def countdown_of(ticket) -> Countdown | None:
    """The ticket's next automatic step from now, in the current (the seller's) zone."""
    return ticket_countdown(ticket, now=clock.now(), tz=timezone.get_current_timezone())


@register.simple_tag
def waiting_on(ticket) -> str:
    if ticket.is_closed:
        return ""
    return Side(ticket.waiting_on).label


@register.simple_tag
def open_refund_items(order) -> list[Item]:
    """What of the order is not refunded yet: the choices of a refund ticket."""
    return [item for item in refundable_items(order) if not item.refunded]


@register.simple_tag
def ticket_type_choices() -> list[tuple[str, str]]:
    return TicketType.choices


@register.simple_tag
def attachment_max_files() -> int:
    return settings.POSTSALE_ATTACHMENT_MAX_FILES
