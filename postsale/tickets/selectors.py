"""Reads of tickets for the front ends: always within one seller."""

from django.db.models import QuerySet

from postsale.tickets.models import Attachment, Message, Ticket, TicketStatus


def tickets_for_seller(seller, *, type: str = "", status: str = "", order_number: str = "",
                       assignee_id: int | None = None, open_only: bool = False,
                       review: bool = False) -> QuerySet[Ticket]:
    qs = Ticket.objects.filter(seller=seller).select_related("order", "assignee")
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status=TicketStatus.CLOSED)
    if order_number:
        qs = qs.filter(order__number=order_number.strip().upper())
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if review:
        qs = qs.filter(review_requested_at__isnull=False, reviewed_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def tickets_for_order(order) -> QuerySet[Ticket]:
    return Ticket.objects.filter(order=order).order_by("-created_at", "-id")


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
