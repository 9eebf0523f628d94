"""The return form reached from a sales channel's own e-mail (/r/<seller>/…, after
postsale.portal.find checked the e-mail address and order number): the same form and the
same service as a return opened on the order page, behind a short-lived token that shows
the order's lines and nothing else — no entries, no tickets, no link to the order page.
The confirmation and the link to follow the ticket go to the order's address."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from postsale.core.audit import Actor
from postsale.core.errors import DomainError
from postsale.orders.links import RETURN_FORM_SALT
from postsale.tickets.attachments import check_attachments
from postsale.tickets.models import Channel, Side, TicketType
from postsale.tickets.services import ticket_open

from .access import Link, signed_link
from .forms import OpenTicketForm, apply_field_errors
from .presenters import TypeOption, type_options


def _return_option(order) -> list[TypeOption]:
    return [o for o in type_options(order) if o.value == TicketType.RETURN]


def _page(request: HttpRequest, link: Link, form: OpenTicketForm, *, errors=(),
          status: int = 200) -> HttpResponse:
    return render(request, "portal/return_form.html", {
        "link": link, "order": link.order, "seller": link.order.seller, "form": form,
        "current_type": TicketType.RETURN, "errors": errors}, status=status)


@require_http_methods(["GET", "POST"])
@signed_link(RETURN_FORM_SALT)
def return_form(request: HttpRequest, link: Link, seller: str) -> HttpResponse:
    order = link.order
    if order.seller.slug != seller:
        raise Http404
    types = _return_option(order)
    if request.method == "GET":
        return _page(request, link, OpenTicketForm(order=order, types=types, initial={
            "type": TicketType.RETURN, "contact_phone": order.phone}))
    data = request.POST.copy()
    data["type"] = TicketType.RETURN
    form = OpenTicketForm(data, order=order, types=types)
    if not form.is_valid():
        return _page(request, link, form, status=422,
                     errors=[_("Please correct the marked fields.")])
    try:
        attachments = check_attachments(request.FILES.getlist("attachments"))
        ticket = ticket_open(
            order=order, type=TicketType.RETURN, side=Side.CUSTOMER, channel=Channel.PORTAL,
            actor=Actor("customer", label=order.email), subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"], attachments=attachments,
            details=form.return_details())
    except DomainError as exc:
        errors = [exc.message, *apply_field_errors(form, exc.field_errors)]
        return _page(request, link, form, errors=list(dict.fromkeys(errors)),
                     status=exc.status)
    return render(request, "portal/return_sent.html", {
        "order": order, "seller": order.seller, "ticket": ticket, "link": link})
