"""The customer's order page (SPEC §6, the ticket part): the order in plain words, their
tickets, and the form to open one — with the refund they would get shown before they ask.
Every write is one call to postsale.tickets.services, the same as in the back office and
the API."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from postsale.core import clock
from postsale.core.errors import DomainError
from postsale.payments.eligibility import refundable_items
from postsale.tickets.attachments import check_attachments
from postsale.tickets.models import Channel, Side, TicketType
from postsale.tickets.selectors import open_request, tickets_for_order
from postsale.tickets.services import ticket_open

from .access import Link, order_link
from .forms import OpenTicketForm, apply_field_errors
from .presenters import (
    ORDER_STATUS_WORDS,
    chosen_keys,
    refund_preview,
    request_process_time,
    ticket_status_words,
    type_options,
)


def _type_context(link: Link, form: OpenTicketForm, type: str, keys) -> dict:
    """What the part of the form for `type` needs."""
    order, now = link.order, clock.now()
    context = {"link": link, "order": order, "form": form, "current_type": type}
    if type == TicketType.REFUND:
        context["preview"] = refund_preview(order, keys, now=now)
    elif type == TicketType.CANCELLATION:
        context["pending"] = open_request(order)
        context["cancel_at"] = request_process_time(order, now)
        context["at_once"] = context["cancel_at"] <= now
    return context


def _selected_type(value: str | None, options) -> str:
    values = [o.value for o in options]
    return value if value in values else TicketType.SUPPORT


def _order_page(request: HttpRequest, link: Link, form: OpenTicketForm, type: str, keys,
                *, errors: list[str] = (), status: int = 200) -> HttpResponse:
    order = link.order
    lines = list(order.lines.select_related("product", "time_slot").prefetch_related("entries"))
    tickets = [(t, ticket_status_words(t)) for t in tickets_for_order(order)]
    return render(request, "portal/order.html", _type_context(link, form, type, keys) | {
        "status_words": ORDER_STATUS_WORDS.get(order.status, order.get_status_display()),
        "lines": lines, "tickets": tickets, "types": type_options(order), "errors": errors,
    }, status=status)


@require_http_methods(["GET", "POST"])
@order_link
def order_page(request: HttpRequest, link: Link) -> HttpResponse:
    """GET: the order, the tickets, the form. POST: open a ticket."""
    order = link.order
    types = type_options(order)
    if request.method == "GET":
        type = _selected_type(request.GET.get("type"), types)
        form = OpenTicketForm(order=order, types=types, initial={
            "type": type, "contact_email": order.email, "contact_phone": order.phone})
        return _order_page(request, link, form, type, None)

    form = OpenTicketForm(request.POST, order=order, types=types)
    type = _selected_type(request.POST.get("type"), types)
    keys = chosen_keys(request.POST, refundable_items(order)) if type == TicketType.REFUND \
        else None
    if not form.is_valid():
        return _order_page(request, link, form, type, keys, status=422,
                           errors=[_("Please correct the marked fields.")])
    try:
        attachments = check_attachments(request.FILES.getlist("attachments"))
        ticket = ticket_open(
            order=order, type=type, side=Side.CUSTOMER, channel=Channel.PORTAL,
            actor=link.actor, subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"], keys=keys, attachments=attachments,
            details=form.return_details())
    except DomainError as exc:
        errors = [exc.message, *apply_field_errors(form, exc.field_errors)]
        return _order_page(request, link, form, type, keys, errors=list(dict.fromkeys(errors)),
                           status=exc.status)
    messages.success(request, _("Your request %(number)s has been sent. We have e-mailed "
                                "a copy to %(email)s.")
                     % {"number": ticket.number, "email": order.email})
    return redirect(link.ticket_url(ticket.number))


@require_GET
@order_link
def type_fields(request: HttpRequest, link: Link) -> HttpResponse:
    """htmx: the part of the form that depends on the chosen type."""
    order = link.order
    types = type_options(order)
    type = _selected_type(request.GET.get("type"), types)
    form = OpenTicketForm(order=order, types=types, initial={
        "type": type, "contact_email": order.email, "contact_phone": order.phone})
    return render(request, "portal/_type_fields.html", _type_context(link, form, type, None))


@require_GET
@order_link
def refund_check(request: HttpRequest, link: Link) -> HttpResponse:
    """htmx: what the chosen items would be refunded, and when."""
    order = link.order
    keys = chosen_keys(request.GET, refundable_items(order))
    return render(request, "portal/_refund_preview.html",
                  {"link": link, "order": order,
                   "preview": refund_preview(order, keys, now=clock.now())})
