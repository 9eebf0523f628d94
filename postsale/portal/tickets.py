"""A customer's ticket: the public conversation, reply with files, close, change to a
refund request, and the countdown while a request waits. Internal notes never reach
these pages: every read goes through the selectors with internal=False."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from postsale.core import clock
from postsale.core.errors import DomainError
from postsale.core.money import format_money
from postsale.payments.eligibility import refundable_items
from postsale.tickets.attachments import check_attachments
from postsale.tickets.downloads import attachment_response
from postsale.tickets.models import Side, Ticket, TicketType
from postsale.tickets.selectors import attachment_for, conversation
from postsale.tickets.services import ticket_change_type, ticket_close, ticket_reply

from .access import Link, order_link, ticket_or_404
from .forms import ReplyForm, apply_field_errors
from .presenters import chosen_keys, refund_preview, ticket_status_words


def _ticket_page(request: HttpRequest, link: Link, ticket: Ticket, *,
                 reply_form: ReplyForm | None = None, keys=None, errors: list[str] = (),
                 change: bool = False, status: int = 200, **extra) -> HttpResponse:
    order = link.order
    can_change = not ticket.is_closed and ticket.type != TicketType.REFUND
    currency = order.currency
    return render(request, "portal/ticket.html", {
        "link": link, "order": order, "ticket": ticket,
        "status_words": ticket_status_words(ticket),
        "messages_": conversation(ticket, internal=False),
        "reply_form": reply_form or ReplyForm(), "errors": errors,
        "waiting": ticket.is_request and ticket.process_at and not ticket.is_closed,
        "refund_amount": format_money(ticket.refund_amount, currency)
        if ticket.refund_amount is not None else "",
        "refund_fee": format_money(ticket.refund_fee, currency) if ticket.refund_fee else "",
        "return_lines": _return_lines(ticket),
        "can_change": can_change, "change": change and can_change,
        "preview": refund_preview(order, keys, now=clock.now(), ticket=ticket)
        if can_change else None,
    } | extra, status=status)


def _return_lines(ticket: Ticket) -> list[tuple[str, int]]:
    names = {line.pk: line.product.name
             for line in ticket.order.lines.select_related("product")}
    return [(names.get(i["line"], "?"), i["quantity"]) for i in ticket.return_lines]


@require_GET
@order_link
def ticket_page(request: HttpRequest, link: Link, number: str) -> HttpResponse:
    ticket = ticket_or_404(link, number)
    return _ticket_page(request, link, ticket, change=request.GET.get("change") == "refund")


@require_POST
@order_link
def ticket_reply_view(request: HttpRequest, link: Link, number: str) -> HttpResponse:
    ticket = ticket_or_404(link, number)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _ticket_page(request, link, ticket, reply_form=form, status=422,
                            errors=[_("Please write a message.")])
    try:
        attachments = check_attachments(request.FILES.getlist("attachments"))
        message = ticket_reply(ticket=ticket, side=Side.CUSTOMER, actor=link.actor,
                               body=form.cleaned_data["body"], attachments=attachments)
    except DomainError as exc:
        errors = [exc.message, *apply_field_errors(form, exc.field_errors)]
        return _ticket_page(request, link, ticket, reply_form=form, status=exc.status,
                            errors=list(dict.fromkeys(errors)))
    if message.ticket_id != ticket.pk:  # a reply to a ticket closed long ago
        messages.success(request, _("Ticket %(old)s was closed some time ago, so your "
                                    "message opened a new ticket, %(new)s.")
                         % {"old": ticket.number, "new": message.ticket.number})
        return redirect(link.ticket_url(message.ticket.number))
    messages.success(request, _("Your message has been sent."))
    return redirect(link.ticket_url(ticket.number) + "#latest")


@require_POST
@order_link
def ticket_close_view(request: HttpRequest, link: Link, number: str) -> HttpResponse:
    ticket = ticket_or_404(link, number)
    withdrawing = ticket.is_request and ticket.process_at
    try:
        ticket_close(ticket=ticket, side=Side.CUSTOMER, actor=link.actor)
    except DomainError as exc:
        return _ticket_page(request, link, ticket, errors=[exc.message], status=exc.status)
    messages.success(request, _("You withdrew your request; nothing will be refunded or "
                                "canceled.") if withdrawing else _("The ticket is closed."))
    return redirect(link.ticket_url(ticket.number))


@require_POST
@order_link
def ticket_change_view(request: HttpRequest, link: Link, number: str) -> HttpResponse:
    """Turn this ticket into a refund request (the one-click offer in inactivity
    warnings leads here)."""
    ticket = ticket_or_404(link, number)
    keys = chosen_keys(request.POST, refundable_items(link.order))
    try:
        ticket = ticket_change_type(ticket=ticket, type=TicketType.REFUND, side=Side.CUSTOMER,
                                    actor=link.actor, keys=keys)
    except DomainError as exc:
        ticket.refresh_from_db()
        return _ticket_page(request, link, ticket, keys=keys, change=True,
                            errors=[exc.message, *exc.field_errors.values()],
                            status=exc.status)
    messages.success(request, _("Your ticket is now a refund request."))
    return redirect(link.ticket_url(ticket.number))


@require_GET
@order_link
def ticket_attachment(request: HttpRequest, link: Link, number: str,
                      attachment_id: int) -> HttpResponse:
    ticket = ticket_or_404(link, number)
    attachment = attachment_for(ticket, attachment_id, internal=False)
    if attachment is None:
        raise Http404
    return attachment_response(attachment)
