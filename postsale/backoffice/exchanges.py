"""Exchanging an entry from the back office: pick a time slot (with the places left), see
the quote (difference, fee, reasons), confirm. One call to
`postsale.payments.exchanges`, the service behind the API and the customer pages too."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from postsale.backoffice.access import seller_required
from postsale.backoffice.selectors import exchange_entry, exchange_slots, recent_exchange_by
from postsale.backoffice.views import ORDER_ACTION_ROLES, actor_of, is_htmx_fragment, order_or_404
from postsale.core import clock
from postsale.core.errors import DomainError, NotFound
from postsale.core.money import format_money
from postsale.orders.models import Entry, Order
from postsale.payments.exchanges import exchange_create, exchange_quote
from postsale.payments.models import Exchange, ExchangeStatus
from postsale.payments.rules import RequestedBy

DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)


def _by(data: QueryDict) -> RequestedBy:
    by = data.get("by")
    return RequestedBy(by) if by in RequestedBy else RequestedBy.SELLER


def _slot_id(data: QueryDict) -> int | None:
    value = data.get("time_slot", "")
    return int(value) if value.isdigit() and 0 < int(value) < 2**63 else None


def _page(request: HttpRequest, order: Order, entry: Entry, *, slot_id: int | None,
          by: RequestedBy, error: str = "", status: int = 200) -> HttpResponse:
    quote = None
    if slot_id is not None:
        try:
            quote = exchange_quote(seller=order.seller, order_number=order.number,
                                   entry_number=entry.number, time_slot_id=slot_id, by=by)
        except DomainError as exc:  # a slot of another seller, or gone
            error = error or exc.message
    fragment = is_htmx_fragment(request)
    template = ("backoffice/orders/_exchange_quote.html" if fragment
                else "backoffice/orders/exchange.html")
    response = render(request, template, {
        "order": order, "entry": entry, "slots": exchange_slots(entry=entry, now=clock.now()),
        "slot_id": slot_id, "by": by.value, "quote": quote, "error": error,
    }, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _done_message(exchange: Exchange) -> str:
    new, old = exchange.new_entry.number, exchange.old_entry.number
    if exchange.status == ExchangeStatus.AWAITING_PAYMENT:
        amount = format_money(exchange.difference, exchange.currency)
        if exchange.payment_link:
            return _("%(new)s holds the new place. The customer pays %(amount)s through the "
                     "payment link sent to them; %(old)s stays valid until then.") % {
                "new": new, "old": old, "amount": amount}
        return _("%(new)s holds the new place. The customer pays %(amount)s by bank transfer "
                 "with the reference %(reference)s; %(old)s stays valid until then.") % {
            "new": new, "old": old, "amount": amount,
            "reference": exchange.payment_transaction_id}
    if exchange.refund_id:
        return _("%(old)s was exchanged for %(new)s. %(amount)s is refunded (%(refund)s).") % {
            "old": old, "new": new, "refund": exchange.refund.number,
            "amount": format_money(-exchange.difference, exchange.currency)}
    return _("%(old)s was exchanged for %(new)s.") % {"old": old, "new": new}


@seller_required(roles=ORDER_ACTION_ROLES)
@require_http_methods(["GET", "POST"])
def entry_exchange(request: HttpRequest, number: str, entry: str) -> HttpResponse:
    """GET: the time slots to choose from; with `time_slot`, the quote and the confirm
    button. POST: exchange."""
    order = order_or_404(request, number)
    try:
        target = exchange_entry(order=order, number=entry.upper())
    except NotFound:
        raise Http404 from None
    data = request.POST if request.method == "POST" else request.GET
    slot_id, by = _slot_id(data), _by(data)
    if request.method == "GET":
        return _page(request, order, target, slot_id=slot_id, by=by)
    if slot_id is None:
        return _page(request, order, target, slot_id=None, by=by, status=422,
                     error=_("Choose a time slot."))
    try:
        exchange = exchange_create(seller=order.seller, order_number=order.number,
                                   entry_number=target.number, time_slot_id=slot_id, by=by,
                                   actor=actor_of(request))
    except DomainError as exc:
        earlier = recent_exchange_by(order=order, user=request.user, entry_number=target.number,
                                     slot_id=slot_id, since=clock.now() - DOUBLE_SUBMIT_WINDOW)
        if earlier:
            messages.info(request, _("This exchange was already made; the form was sent "
                                     "twice."))
            return redirect(reverse("backoffice:order", args=[order.number]) + "#exchanges")
        target.refresh_from_db()
        return _page(request, order, target, slot_id=slot_id, by=by, error=exc.message,
                     status=exc.status)
    exchange = (Exchange.objects.select_related("old_entry", "new_entry", "refund")
                .get(pk=exchange.pk))
    messages.success(request, _done_message(exchange))
    return redirect(reverse("backoffice:order", args=[order.number]) + "#exchanges")
