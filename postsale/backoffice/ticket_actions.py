"""Writing to tickets from the back office: reply, internal note, change type, close,
return decisions, and opening a ticket from the order page. Each view parses the form,
checks the files, calls one service of `postsale.tickets`, and shows a domain error on the
form it came from, with nothing stored."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.tickets import render_ticket_page, ticket_or_404
from postsale.backoffice.views import (
    ORDER_ACTION_ROLES,
    actor_of,
    is_htmx_fragment,
    order_or_404,
)
from postsale.core.errors import DomainError
from postsale.orders.models import Order
from postsale.tickets.attachments import check_attachments
from postsale.tickets.models import Channel, Side, Ticket, TicketStatus, TicketType
from postsale.tickets.services import (
    ticket_change_type,
    ticket_close,
    ticket_open,
    ticket_reply,
    ticket_return_decide,
)


def _back(ticket: Ticket, anchor: str = "") -> HttpResponse:
    url = reverse("backoffice:ticket", args=[ticket.number])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _failed(request: HttpRequest, ticket: Ticket, form: str, exc: DomainError) -> HttpResponse:
    return render_ticket_page(request, ticket, failed=form, error=exc.message,
                              field_errors=exc.field_errors, status=exc.status)


def _files(request: HttpRequest):
    """The uploaded files, checked; Invalid names the first one that may not be attached."""
    return check_attachments(request.FILES.getlist("attachments"))


def _keys(request: HttpRequest, type: str) -> list[str] | None:
    """The items a refund request names (entry:TID-…, line:<id>, invoice:INV-…)."""
    if type != TicketType.REFUND:
        return None
    return list(dict.fromkeys(k.strip() for k in request.POST.getlist("items") if k.strip()))


@seller_required(can=Cap.ACT_ON_TICKETS)
@require_POST
def ticket_reply_view(request: HttpRequest, number: str) -> HttpResponse:
    """A reply to the customer, or with `internal=1` a note for agents only."""
    ticket = ticket_or_404(request, number)
    internal = request.POST.get("internal") == "1"
    try:
        ticket_reply(ticket=ticket, side=Side.SELLER, body=request.POST.get("body", ""),
                     actor=actor_of(request), attachments=_files(request), internal=internal)
    except DomainError as exc:
        return _failed(request, ticket, "note" if internal else "reply", exc)
    messages.success(request, _("Internal note added.") if internal
                     else _("Reply sent to the customer."))
    return _back(ticket, "conversation")


@seller_required(can=Cap.ACT_ON_TICKETS)
@require_POST
def ticket_type_view(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_or_404(request, number)
    type = request.POST.get("type", "")
    try:
        ticket = ticket_change_type(ticket=ticket, type=type, side=Side.SELLER,
                                    actor=actor_of(request), keys=_keys(request, type))
    except DomainError as exc:
        return _failed(request, ticket, "type", exc)
    messages.success(request, _("Ticket %(number)s is now a %(type)s ticket.") % {
        "number": ticket.number, "type": TicketType(ticket.type).label.lower()})
    return _back(ticket)


@seller_required(can=Cap.ACT_ON_TICKETS)
@require_POST
def ticket_close_view(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_or_404(request, number)
    try:
        ticket = ticket_close(ticket=ticket, side=Side.SELLER, actor=actor_of(request),
                              body=request.POST.get("body", ""))
    except DomainError as exc:
        return _failed(request, ticket, "close", exc)
    messages.success(request, _("Ticket %(number)s closed: %(resolution)s.") % {
        "number": ticket.number, "resolution": ticket.get_resolution_display().lower()})
    return _back(ticket)


@seller_required(can=Cap.ACT_ON_TICKETS)
@require_POST
def ticket_return_view(request: HttpRequest, number: str) -> HttpResponse:
    """Move a return: in review, accepted or rejected (the decision is e-mailed)."""
    ticket = ticket_or_404(request, number)
    status = request.POST.get("status", "")
    try:
        ticket = ticket_return_decide(ticket=ticket, status=status, actor=actor_of(request),
                                      body=request.POST.get("body", ""))
    except DomainError as exc:
        return _failed(request, ticket, "return", exc)
    messages.success(request, _("Return %(number)s: %(status)s.") % {
        "number": ticket.number, "status": TicketStatus(ticket.status).label.lower()})
    return _back(ticket)


def _open_page(request: HttpRequest, order: Order, *, error: str = "",
               field_errors: dict | None = None, status: int = 200) -> HttpResponse:
    """The form on a page of its own, or (htmx, from the order page) the form alone."""
    fragment = is_htmx_fragment(request)
    template = ("backoffice/tickets/_open_form.html" if fragment
                else "backoffice/tickets/open.html")
    response = render(request, template, {
        "order": order, "error": error, "field_errors": field_errors or {},
        "fragment": fragment,
        "data": request.POST if request.method == "POST" else request.GET,
        # After a failed POST the items keep what the agent ticked; else all are ticked.
        "keep_items": request.method == "POST", "chosen_items": request.POST.getlist("items"),
    }, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@seller_required(roles=ORDER_ACTION_ROLES)
@require_http_methods(["GET", "POST"])
def order_ticket_open(request: HttpRequest, number: str) -> HttpResponse:
    """GET: the form (also on the order page). POST: open a ticket on the seller's side,
    or — platform operators only — on the customer's behalf after a phone call, which
    counts as customer-opened (SPEC §4)."""
    order = order_or_404(request, number)
    if request.method == "GET":
        return _open_page(request, order)
    data = request.POST
    type = data.get("type", "")
    on_behalf = request.user.is_superuser and data.get("on_behalf") == "1"
    side, channel = ((Side.CUSTOMER, Channel.PHONE) if on_behalf
                     else (Side.SELLER, Channel.BACKOFFICE))
    try:
        ticket = ticket_open(order=order, type=type, body=data.get("body", ""),
                             subject=data.get("subject", ""), side=side, channel=channel,
                             actor=actor_of(request), keys=_keys(request, type),
                             attachments=_files(request))
    except DomainError as exc:
        order.refresh_from_db()
        return _open_page(request, order, error=exc.message, field_errors=exc.field_errors,
                          status=exc.status)
    messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
    return _back(ticket)
