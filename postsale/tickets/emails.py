"""Ticket e-mails (SPEC §7): every kind to both sides in one format — why it was sent, the
newest message, a link, ticket details, order details, the whole history at the bottom.
The customer's copy goes to the order's address in the order's language; the seller's
to the support address (fallback: account address) in the seller's language."""

from datetime import datetime

from django.urls import reverse

from postsale.core.money import format_money
from postsale.notifications.services import notification_queue
from postsale.orders.emails import order_context
from postsale.orders.links import absolute, order_ticket_url
from postsale.payments.eligibility import refund_eligibility
from postsale.payments.rules import RequestedBy
from postsale.tickets import rules
from postsale.tickets.models import (
    Message,
    Resolution,
    ReturnKind,
    Side,
    Step,
    Ticket,
    TicketStatus,
    TicketType,
)

KINDS = ("ticket_opened", "ticket_reply", "ticket_changed", "ticket_closed",
         "ticket_inactivity", "ticket_decision")


def _message(message: Message) -> dict:
    return {"side": message.side, "author": message.author_name, "body": message.body,
            "created_at": message.created_at, "system": message.side == Side.SYSTEM,
            "attachments": [a.name for a in message.attachments.all()]}


def ticket_context(ticket: Ticket, message: Message | None = None) -> dict:
    history = [_message(m) for m in ticket.messages.filter(internal=False)
               .prefetch_related("attachments")]
    currency = ticket.order.currency
    lines = ({line.pk: line.product.name
              for line in ticket.order.lines.select_related("product")}
             if ticket.return_lines else {})
    return order_context(ticket.order) | {
        "ticket": {
            "number": ticket.number, "subject": ticket.subject, "type": ticket.type,
            "type_label": TicketType(ticket.type).label,
            "status_label": TicketStatus(ticket.status).label,
            "resolution_label": Resolution(ticket.resolution).label if ticket.resolution
            else "",
            "opened_at": ticket.created_at, "opened_by": ticket.opened_by,
            "waiting_on": ticket.waiting_on, "closed": ticket.is_closed,
            "process_at": ticket.process_at,
            "refund_amount": format_money(ticket.refund_amount, currency)
            if ticket.refund_amount is not None else "",
            "refund_fee": format_money(ticket.refund_fee, currency) if ticket.refund_fee else "",
            "refund_reasons": ticket.refund_reasons,
            "due_step": ticket.due_step, "due_at": ticket.due_at,
            "will_close": ticket.due_step == Step.CLOSE,
            "return_kind": ReturnKind(ticket.return_kind).label if ticket.return_kind else "",
            "return_lines": [{"name": lines.get(i["line"], "?"), "quantity": i["quantity"]}
                             for i in ticket.return_lines],
        },
        "message": _message(message) if message and not message.internal else
        (history[-1] if history else None),
        "history": history,
    }


def _refund_offer(ticket: Ticket, now: datetime | None) -> bool:
    """Inactivity warnings to the customer offer a one-click refund request, where the
    order is still refundable."""
    if ticket.type in (TicketType.REFUND, TicketType.CANCELLATION) or now is None:
        return False
    return refund_eligibility(order=ticket.order, by=RequestedBy.CUSTOMER, at=now).allowed


def queue_ticket_mail(ticket: Ticket, kind: str, *, message: Message | None = None,
                      now: datetime | None = None, extra: dict | None = None) -> None:
    assert kind in KINDS, kind
    order, seller = ticket.order, ticket.seller
    context = ticket_context(ticket, message) | {"kind": kind} | (extra or {})
    tags = [f"ticket:{ticket.pk}", f"order:{order.pk}", f"customer:{order.customer_id}"]
    customer_link = order_ticket_url(order, ticket.number)
    offer = kind == "ticket_inactivity" and _refund_offer(ticket, now)
    rate = kind == "ticket_closed" and rules.rating_invited(
        closed_by=ticket.closed_by, resolution=ticket.resolution,
        seller_replied=any(m["side"] == Side.SELLER for m in context["history"]))
    notification_queue(
        kind=kind, to_email=order.email, language=order.language, tags=tags, seller=seller,
        reply_to=seller.reply_to_email, now=now,
        context=context | {"for_seller": False, "link": customer_link,
                           "refund_link": f"{customer_link}?change=refund" if offer else "",
                           "rating_link": f"{customer_link}#rating" if rate else ""})
    notification_queue(
        kind=kind, to_email=seller.reply_to_email, language=seller.language, tags=tags,
        seller=seller, reply_to=order.email, now=now,
        context=context | {"for_seller": True, "refund_link": "",
                           "link": absolute(reverse("backoffice:ticket",
                                                    args=[ticket.number]))})


def queue_assigned_mail(ticket: Ticket, assignee, *, by: str = "",
                        now: datetime | None = None) -> None:
    """The consultant a ticket was given to, by an assignment rule or by somebody else,
    hears of it (nobody is told of a ticket they took themselves)."""
    if not assignee.email:
        return
    seller, order = ticket.seller, ticket.order
    notification_queue(
        kind="ticket_assigned", to_email=assignee.email, language=seller.language,
        tags=[f"ticket:{ticket.pk}", f"order:{order.pk}"], seller=seller,
        reply_to=seller.reply_to_email, now=now,
        context=ticket_context(ticket) | {
            "kind": "ticket_assigned", "for_seller": True, "by": by, "refund_link": "",
            "link": absolute(reverse("backoffice:ticket", args=[ticket.number]))})
