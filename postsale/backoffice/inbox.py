"""The agents' inbox (SPEC §8): the tickets list as queues — by type, status, sales
channel, whom a ticket waits on and its assignee ("mine", "unassigned", one
consultant's) — kept live by htmx polling, with bulk assign and bulk close, and manual
reassignment on the ticket page. Writes go through `postsale.tickets` services."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.pagination import keyset_page
from postsale.backoffice.permissions import Cap
from postsale.backoffice.tickets import ticket_or_404
from postsale.backoffice.views import actor_of, is_htmx_fragment
from postsale.core.errors import DomainError
from postsale.sellers.models import SalesChannel
from postsale.tickets.assignment import consultants_of
from postsale.tickets.bulk_actions import BulkResult, tickets_bulk_assign, tickets_bulk_close
from postsale.tickets.models import Side, Ticket, TicketStatus, TicketType
from postsale.tickets.selectors import queue_counts, tickets_for_seller
from postsale.tickets.services import ticket_assign

PAGE_SIZE = 50
POLL_SECONDS = 15  # how often an open inbox refreshes itself
POLL_ID = "inbox-poll"  # the polling element; its requests say so in HX-Trigger
ME, NOBODY = "me", "none"
STATUS_CHOICES = [
    ("open", gettext_lazy("Open")),
    (TicketStatus.NEW, gettext_lazy("New return")),
    (TicketStatus.IN_REVIEW, gettext_lazy("Return in review")),
    (TicketStatus.ACCEPTED, gettext_lazy("Return accepted")),
    (TicketStatus.REJECTED, gettext_lazy("Return rejected")),
    (TicketStatus.CLOSED, gettext_lazy("Closed")),
    ("all", gettext_lazy("All")),
]


class InboxFilterForm(forms.Form):
    assignee = forms.ChoiceField(label=gettext_lazy("Assigned to"), required=False)
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False,
                             choices=[("", gettext_lazy("Any type")), *TicketType.choices])
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, initial="open",
                               choices=STATUS_CHOICES)
    channel = forms.ChoiceField(label=gettext_lazy("Sales channel"), required=False)
    waiting = forms.ChoiceField(label=gettext_lazy("Waiting on"), required=False, choices=[
        ("", gettext_lazy("Anyone")), (Side.SELLER, gettext_lazy("Us")),
        (Side.CUSTOMER, gettext_lazy("The customer"))])
    order = forms.CharField(label=gettext_lazy("Order number"), required=False, max_length=40,
                            widget=forms.TextInput(attrs={"placeholder": "PID-…",
                                                          "spellcheck": "false"}))

    def __init__(self, data, *, seller, user):
        super().__init__(data)
        self.user = user
        self.consultants = list(consultants_of(seller))
        self.fields["assignee"].choices = [
            ("", _("Anyone")), (ME, _("Me")), (NOBODY, _("Unassigned")),
            *[(str(u.pk), u.get_username()) for u in self.consultants]]
        self.fields["channel"].choices = [
            ("", _("Any channel")),
            *SalesChannel.objects.filter(seller=seller).values_list("code", "name")]

    def selector_kwargs(self) -> dict:
        """Arguments for `tickets_for_seller`; fields that did not validate are left out.
        No status chosen means the open tickets, the ones someone must look at."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or "open"
        assignee = data.get("assignee") or ""
        return {"type": data.get("type") or "", "order_number": data.get("order") or "",
                "open_only": status == "open",
                "status": "" if status in ("open", "all") else status,
                "channel": data.get("channel") or "", "waiting_on": data.get("waiting") or "",
                "unassigned": assignee == NOBODY,
                "assignee_id": self.user.pk if assignee == ME else
                int(assignee) if assignee.isdigit() else None}

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)

    @property
    def queue(self) -> str:
        """The standing queue these filters are, if they are one: mine, unassigned, open."""
        other = any(self.data.get(n) for n in self.fields if n not in ("assignee", "status"))
        if other or self.data.get("status") not in (None, "", "open"):
            return ""
        return {ME: "mine", NOBODY: "unassigned", "": "open"}.get(
            self.data.get("assignee", ""), "")


def _next_url(request: HttpRequest) -> str:
    """Back to the list as the agent left it (filters and page); only our own address."""
    url = request.POST.get("next", "")
    tickets_url = reverse("backoffice:tickets")
    if url.startswith(tickets_url) and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}):
        return url
    return tickets_url


def _report(request: HttpRequest, result: BulkResult, done_message: str) -> None:
    if result.done:
        messages.success(request, done_message % {"count": len(result.done),
                                                  "numbers": ", ".join(result.done)})
    if result.unchanged:
        messages.info(request, _("Already so: %(numbers)s.") % {
            "numbers": ", ".join(result.unchanged)})
    for number, why in result.failed.items():
        messages.error(request, f"{number}: {why}")
    if result.unknown:
        messages.error(request, _("Not found, nothing done: %(numbers)s.") % {
            "numbers": ", ".join(result.unknown)})


def _assignee(request: HttpRequest, value: str):
    """The user an assignee choice names (None: nobody); DomainError when it names no
    consultant of this seller."""
    if value == NOBODY:
        return None
    if value == ME:
        return request.user
    user = consultants_of(request.access.seller).filter(pk=value).first() \
        if value.isdigit() else None
    if user is None:
        raise DomainError(code="invalid", status=422,
                          message=_("Choose whom to assign the tickets to."))
    return user


@seller_required(can=Cap.ACT_ON_TICKETS)
@require_POST
def tickets_bulk(request: HttpRequest) -> HttpResponse:
    """Assign or close the ticked tickets. Closing asks once more, listing them: each
    customer is e-mailed."""
    seller, actor = request.access.seller, actor_of(request)
    numbers = request.POST.getlist("tickets")
    action = request.POST.get("action")
    try:
        if action == "assign":
            result = tickets_bulk_assign(seller=seller, numbers=numbers, actor=actor,
                                         user=_assignee(request, request.POST.get("assignee", "")))
            _report(request, result, ngettext(
                "Assigned %(count)d ticket: %(numbers)s.", "Assigned %(count)d tickets: %(numbers)s.",
                len(result.done)))
        elif action == "close" and request.POST.get("confirm") == "1":
            result = tickets_bulk_close(seller=seller, numbers=numbers, actor=actor)
            _report(request, result, ngettext(
                "Closed %(count)d ticket: %(numbers)s.", "Closed %(count)d tickets: %(numbers)s.",
                len(result.done)))
        elif action == "close":
            return _confirm_close(request, numbers)
        else:
            raise DomainError(code="invalid", status=422, message=_("Choose an action."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_next_url(request))


def _confirm_close(request: HttpRequest, numbers: list[str]) -> HttpResponse:
    tickets = list(Ticket.objects.filter(
        seller=request.access.seller, number__in=[n.strip().upper() for n in numbers])
        .exclude(status=TicketStatus.CLOSED).select_related("order"))
    if not tickets:
        messages.error(request, _("Tick at least one open ticket to close."))
        return redirect(_next_url(request))
    return render(request, "backoffice/tickets/bulk_close.html",
                  {"tickets": tickets, "next": _next_url(request)})


@seller_required(can=Cap.ACT_ON_TICKETS)
@require_POST
def ticket_assign_view(request: HttpRequest, number: str) -> HttpResponse:
    """Reassign one ticket from its page."""
    ticket = ticket_or_404(request, number)
    try:
        user = _assignee(request, request.POST.get("assignee", ""))
        ticket = ticket_assign(ticket=ticket, user=user, actor=actor_of(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Ticket %(number)s is assigned to %(user)s.") % {
            "number": ticket.number, "user": user.get_username()} if user else
            _("Ticket %(number)s is unassigned.") % {"number": ticket.number})
    return redirect("backoffice:ticket", ticket.number)


@seller_required(can=Cap.VIEW_TICKETS)
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    """The inbox. An htmx request gets the results alone (filters, pages, and the poll
    that keeps them live); the queue counts come along out of band."""
    seller = request.access.seller
    form = InboxFilterForm(request.GET, seller=seller, user=request.user)
    qs = tickets_for_seller(seller, **form.selector_kwargs()).select_related("order__channel")
    page = keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"),
                       size=PAGE_SIZE)
    fragment = is_htmx_fragment(request)
    template = "backoffice/tickets/_results.html" if fragment else "backoffice/tickets/list.html"
    response = render(request, template, {
        "form": form, "page": page, "fragment": fragment,
        "polled": request.headers.get("HX-Trigger") == POLL_ID, "poll_id": POLL_ID,
        "poll_seconds": POLL_SECONDS, "counts": queue_counts(seller, user=request.user),
        "can_act": request.access.has(Cap.ACT_ON_TICKETS),
        "consultants": form.consultants,
    })
    patch_vary_headers(response, ["HX-Request", "HX-Trigger"])
    return response
