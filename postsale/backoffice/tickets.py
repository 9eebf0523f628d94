"""Support tickets in the back office (SPEC §4, §8): the ticket page (conversation,
request, countdown, assignee, canned replies, and the action forms the writes in
`ticket_actions` post to) and attachment downloads. The list is the inbox (`inbox.py`).
Door staff have no access to tickets; viewers read."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from postsale.backoffice.access import seller_required
from postsale.backoffice.canned import canned_choices, canned_prefill
from postsale.backoffice.permissions import Cap, roles_for
from postsale.core.errors import NotFound
from postsale.notifications.selectors import notifications_tagged
from postsale.payments.eligibility import refundable_items
from postsale.tickets import rules
from postsale.tickets.assignment import consultants_of
from postsale.tickets.downloads import attachment_response
from postsale.tickets.models import Ticket, TicketStatus, TicketType
from postsale.tickets.selectors import attachment_for, conversation, ticket_get

# Who may read tickets; writing takes Cap.ACT_ON_TICKETS (see permissions.py).
TICKET_READ_ROLES = roles_for(Cap.VIEW_TICKETS)


def ticket_or_404(request: HttpRequest, number: str) -> Ticket:
    """The current seller's ticket; another seller's is a 404 like a missing one."""
    try:
        return ticket_get(seller=request.access.seller, number=number)
    except NotFound:
        raise Http404 from None


def render_ticket_page(request: HttpRequest, ticket: Ticket, *, failed: str = "",
                       error: str = "", field_errors: dict | None = None, status: int = 200
                       ) -> HttpResponse:
    """The ticket page. After a failed action, `failed` names its form, which shows
    `error` and keeps what the agent typed."""
    items = refundable_items(ticket.order)
    labels = {i.key: i.label for i in items}
    can_note = request.access.has(Cap.ACT_ON_TICKETS)
    can_act = can_note and not ticket.is_closed
    return_targets = [(s, TicketStatus(s).label) for s in TicketStatus.values
                      if ticket.type == TicketType.RETURN
                      and rules.can_move_return(ticket.status, s)]
    shown = {"note"} if can_note else set()
    if can_act:
        shown |= {"reply", "type", "close"} | ({"return"} if return_targets else set())
    return render(request, "backoffice/tickets/detail.html", {
        "ticket": ticket, "order": ticket.order,
        "consultants": consultants_of(ticket.seller) if can_note else [],
        **_canned_context(request, ticket, can_act and not failed),
        "conversation": conversation(ticket, internal=True),
        "can_act": can_act, "can_note": can_note,
        "request_items": [labels.get(k, k) for k in ticket.refund_keys or []],
        "open_items": [i for i in items if not i.refunded],
        # The change-type form starts with every open item ticked, or what the agent ticked.
        "chosen_items": (request.POST.getlist("items") if failed
                         else [i.key for i in items if not i.refunded]),
        "other_types": [(v, label) for v, label in TicketType.choices if v != ticket.type],
        "return_targets": return_targets,
        "return_lines": _return_lines(ticket),
        "emails": notifications_tagged(f"ticket:{ticket.pk}").defer(
            "body_text", "body_html", "inline_images"),
        # A form the page no longer shows (the ticket closed meanwhile): say it on top.
        "error_on_top": error if failed not in shown else "",
        "failed": failed, "error": error, "field_errors": field_errors or {},
        "data": request.POST if failed else {},
    }, status=status)


def _canned_context(request: HttpRequest, ticket: Ticket, active: bool) -> dict:
    """Canned replies without JavaScript: `?canned=<words>` lists the matching articles,
    `?insert=<article>&part=body|checklist` puts one into the reply box."""
    if not active:
        return {"canned_text": "", "canned_choices": None, "canned_q": "", "canned_open": False}
    q = request.GET.get("canned")
    text = canned_prefill(ticket.order, article_id=request.GET.get("insert", ""),
                          part=request.GET.get("part", "body"))
    return {"canned_text": text, "canned_q": (q or "")[:100], "canned_open": q is not None,
            "canned_choices": canned_choices(ticket.order, q=q[:100]) if q is not None
            else None}


def _return_lines(ticket: Ticket) -> list[tuple[str, int]]:
    if not ticket.return_lines:
        return []
    names = {line.pk: line.product.name
             for line in ticket.order.lines.select_related("product")}
    return [(names.get(i["line"], "?"), i["quantity"]) for i in ticket.return_lines]


@seller_required(can=Cap.VIEW_TICKETS)
@require_GET
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render_ticket_page(request, ticket_or_404(request, number))


@seller_required(can=Cap.VIEW_TICKETS)
@require_GET
def ticket_attachment(request: HttpRequest, number: str, attachment: int) -> HttpResponse:
    """Always a download (see `attachment_response`), never shown inline."""
    found = attachment_for(ticket_or_404(request, number), attachment, internal=True)
    if found is None:
        raise Http404
    return attachment_response(found)


@seller_required(can=Cap.ACT_ON_TICKETS)
@require_GET
def ticket_canned(request: HttpRequest, number: str) -> HttpResponse:
    """htmx: the articles matching what the agent typed, ready to insert."""
    ticket = ticket_or_404(request, number)
    q = request.GET.get("canned", "")[:100]
    return render(request, "backoffice/kb/_canned_results.html", {
        "ticket": ticket, "q": q, "choices": canned_choices(ticket.order, q=q)})
