"""Troubleshooting before a support ticket (SPEC §6): the customer picks what is wrong,
reads the articles that fit — in their language, else the seller's, else English — and
answers "Did this solve it?". Yes ends there, recorded, with nothing sent; no is recorded
too and leads back to the support form with what they had typed. With htmx it all
happens inside the order page; without JavaScript, on a page of its own."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postsale.core.errors import DomainError, NotFound
from postsale.kb.models import Deflection
from postsale.kb.placeholders import values_for
from postsale.kb.selectors import deflection_get
from postsale.kb.services import deflection_answer, deflection_start
from postsale.kb.situations import situation_label
from postsale.orders.links import absolute
from postsale.tickets.models import TicketType

from .access import Link, order_link
from .forms import OpenTicketForm
from .presenters import type_options
from .views import _order_page  # the order page's own renderer, not a second copy

# What the customer had typed into the support form, carried through the page without
# JavaScript (files cannot be: the page says so).
CARRIED = ("subject", "body")


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _carried(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(name, "")[:20_000] for name in CARRIED}


@require_POST
@order_link
def troubleshoot(request: HttpRequest, link: Link) -> HttpResponse:
    """Show the articles for the situation the customer picked, and record that."""
    order = link.order
    situation = request.POST.get("situation", "")
    try:
        deflection, articles = deflection_start(order=order, situation=situation,
                                                language=get_language())
    except DomainError as exc:
        if _htmx(request):  # htmx swaps 2xx answers only: the message in place
            return render(request, "portal/kb/_help_error.html", {"error": exc.message})
        messages.error(request, exc.message)
        return _support_form(request, link, _carried(request), status=exc.status)
    context = {"link": link, "order": order, "deflection": deflection, "articles": articles,
               "situation": situation_label(situation),
               "values": values_for(order, order_link=absolute(link.url))}
    if _htmx(request):
        return render(request, "portal/kb/_help.html", context | {"inline": True})
    return render(request, "portal/kb/troubleshoot.html", context | {
        "carried": _carried(request), "files_dropped": bool(request.FILES)})


@require_POST
@order_link
def troubleshoot_answer(request: HttpRequest, link: Link, pk: int) -> HttpResponse:
    """Record "Did this solve it?": yes ends here, no goes on to the support form."""
    try:
        deflection = deflection_get(order=link.order, pk=pk)
    except NotFound:
        raise Http404 from None
    answer = request.POST.get("solved")
    if answer not in ("yes", "no"):
        raise Http404
    deflection = deflection_answer(deflection=deflection, solved=answer == "yes")
    context = {"link": link, "order": link.order, "deflection": deflection}
    if deflection.solved:
        template = "portal/kb/_solved.html" if _htmx(request) else "portal/kb/solved.html"
        return render(request, template, context)
    if _htmx(request):
        return render(request, "portal/kb/_not_solved.html", context)
    messages.info(request, _("Sorry that did not help. Write to us below, and tell us what "
                             "you already tried."))
    return _support_form(request, link, _carried(request), deflection=deflection)


def _support_form(request: HttpRequest, link: Link, carried: dict[str, str], *,
                  deflection: Deflection | None = None, status: int = 200) -> HttpResponse:
    """The order page with the support form filled with what the customer typed (and, if
    they typed no subject, the situation they picked)."""
    order = link.order
    subject = carried.get("subject") or (situation_label(deflection.situation)
                                         if deflection else "")
    form = OpenTicketForm(order=order, types=type_options(order), initial={
        "type": TicketType.SUPPORT, "subject": subject, "body": carried.get("body", ""),
        "contact_email": order.email, "contact_phone": order.phone})
    return _order_page(request, link, form, TicketType.SUPPORT, None, status=status)
