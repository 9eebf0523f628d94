"""Reads of tickets for the front ends: always within one seller."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from postsale.core.errors import NotFound
from postsale.tickets.models import Attachment, Message, Side, Ticket, TicketStatus, TicketType


def tickets_for_seller(seller, *, type: str = "", status: str = "", order_number: str = "",
                       open_only: bool = False, channel: str = "",
                       assignee_id: int | None = None, unassigned: bool = False,
                       waiting_on: str = "") -> QuerySet[Ticket]:
    """The seller's tickets, newest first. `channel` is the order's sales channel (code);
    `waiting_on` is "seller" (the customer or nobody acted last) or "customer"."""
    qs = Ticket.objects.filter(seller=seller).select_related("order", "assignee")
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status=TicketStatus.CLOSED)
    if order_number:
        qs = qs.filter(order__number=order_number.strip().upper())
    if channel:
        qs = qs.filter(order__channel__code=channel)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    elif assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if waiting_on == Side.CUSTOMER:
        qs = qs.filter(last_actor=Side.SELLER)
    elif waiting_on == Side.SELLER:
        qs = qs.exclude(last_actor=Side.SELLER)
    return qs.order_by("-created_at", "-id")


def queue_counts(seller, *, user) -> dict[str, int]:
    """Open tickets in the inbox's standing queues, in one query: the user's, nobody's,
    everyone's."""
    return (Ticket.objects.filter(seller=seller).exclude(status=TicketStatus.CLOSED)
            .aggregate(mine=Count("id", filter=Q(assignee_id=user.pk)),
                       unassigned=Count("id", filter=Q(assignee__isnull=True)),
                       open=Count("id")))


def ticket_get(*, seller, number: str) -> Ticket:
    ticket = (Ticket.objects.select_related("order__customer", "seller")
              .filter(seller=seller, number=number.strip().upper()).first())
    if ticket is None:
        raise NotFound(_("No ticket %(number)s.") % {"number": number})
    return ticket


def tickets_for_order(order) -> QuerySet[Ticket]:
    return Ticket.objects.filter(order=order).order_by("-created_at", "-id")


def open_request(order, *, besides: Ticket | None = None) -> Ticket | None:
    """The order's refund or cancellation request still waiting, if any (other than
    `besides`, the ticket about to become one): an order has at most one."""
    qs = (Ticket.objects.filter(order=order, type__in=(TicketType.REFUND,
                                                       TicketType.CANCELLATION))
          .exclude(status=TicketStatus.CLOSED))
    return (qs.exclude(pk=besides.pk) if besides and besides.pk else qs).first()


def review_list() -> QuerySet[Ticket]:
    """For the platform operator: refund requests sellers closed or changed before they
    were processed, not yet reviewed — across all sellers."""
    return (Ticket.objects.filter(review_requested_at__isnull=False, reviewed_at__isnull=True)
            .select_related("seller", "order").order_by("review_requested_at", "id"))


def conversation(ticket: Ticket, *, internal: bool) -> QuerySet[Message]:
    """The messages a side may see: agents see internal notes, customers never do."""
    qs = ticket.messages.select_related("author").prefetch_related("attachments")
    return qs if internal else qs.filter(internal=False)


def attachment_for(ticket: Ticket, attachment_id: int, *, internal: bool) -> Attachment | None:
    qs = Attachment.objects.filter(pk=attachment_id, message__ticket=ticket)
    if not internal:
        qs = qs.filter(message__internal=False)
    return qs.first()
