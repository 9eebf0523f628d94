"""Support tickets in the back office (SPEC §4, §8): the list with filters, the ticket page
(conversation, request, countdown, and the action forms the writes in `ticket_actions`
post to), and attachment downloads. Door staff have no access to tickets; viewers read."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from postsale.backoffice.access import seller_required
from postsale.backoffice.pagination import keyset_page
from postsale.backoffice.permissions import Cap, roles_for
from postsale.backoffice.views import is_htmx_fragment
from postsale.core.errors import NotFound
from postsale.notifications.selectors import notifications_tagged
from postsale.payments.eligibility import refundable_items
from postsale.tickets import rules
from postsale.tickets.downloads import attachment_response
from postsale.tickets.models import Ticket, TicketStatus, TicketType
from postsale.tickets.selectors import (
    attachment_for,
    conversation,
    ticket_get,
    tickets_for_seller,
)

PAGE_SIZE = 50
# Who may read tickets; writing takes Cap.ACT_ON_TICKETS (see permissions.py).
TICKET_READ_ROLES = roles_for(Cap.VIEW_TICKETS)


class TicketFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("Any type")), *TicketType.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, initial="open",
                               choices=[("open", _("Open")), ("closed", _("Closed")),
                                        ("all", _("All"))])
    order = forms.CharField(label=_("Order number"), required=False, max_length=40,
                            widget=forms.TextInput(attrs={"placeholder": "PID-…",
                                                          "spellcheck": "false"}))

    def selector_kwargs(self) -> dict:
        """Arguments for `tickets_for_seller`; fields that did not validate are left out.
        No status chosen means the open tickets, the ones someone must look at."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or "open"
        return {"type": data.get("type") or "", "order_number": data.get("order") or "",
                "open_only": status == "open",
                "status": TicketStatus.CLOSED if status == "closed" else ""}

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


@seller_required(roles=TICKET_READ_ROLES)
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    seller = request.access.seller
    form = TicketFilterForm(request.GET)
    page = keyset_page(tickets_for_seller(seller, **form.selector_kwargs()), after=request.GET.get("after"), before=request.GET.get("before"),
                       size=PAGE_SIZE)
    fragment = is_htmx_fragment(request)
    template = "backoffice/tickets/_results.html" if fragment else "backoffice/tickets/list.html"
    response = render(request, template, {"form": form, "page": page, "fragment": fragment})
    patch_vary_headers(response, ["HX-Request"])
    return response


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


def _return_lines(ticket: Ticket) -> list[tuple[str, int]]:
    if not ticket.return_lines:
        return []
    names = {line.pk: line.product.name
             for line in ticket.order.lines.select_related("product")}
    return [(names.get(i["line"], "?"), i["quantity"]) for i in ticket.return_lines]


@seller_required(roles=TICKET_READ_ROLES)
@require_GET
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render_ticket_page(request, ticket_or_404(request, number))


@seller_required(roles=TICKET_READ_ROLES)
@require_GET
def ticket_attachment(request: HttpRequest, number: str, attachment: int) -> HttpResponse:
    """Always a download (see `attachment_response`), never shown inline."""
    found = attachment_for(ticket_or_404(request, number), attachment, internal=True)
    if found is None:
        raise Http404
    return attachment_response(found)
