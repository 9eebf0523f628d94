"""Refunding an order from the back office: choose the items, check what the rules say
(amount, fee, reasons per item), confirm; retry a failed refund. Every write is one call
to `postsale.payments.refunds`, the service behind the API and the customer pages too."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.selectors import recent_refund_by
from postsale.backoffice.views import ORDER_ACTION_ROLES, actor_of, is_htmx_fragment, order_or_404
from postsale.core import clock
from postsale.core.errors import DomainError
from postsale.orders.models import Order
from postsale.payments.eligibility import refund_eligibility, refundable_items
from postsale.payments.models import Refund
from postsale.payments.refunds import REFUNDABLE_ORDER, refund_request, refund_retry
from postsale.payments.rules import RequestedBy

# A second "Confirm refund" within this time, by the same agent, for the same items, is
# the same request sent twice (a double click), not a new one.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)


@dataclass(frozen=True)
class RefundChoice:
    keys: list[str]
    by: RequestedBy
    reason: str = ""


def _choice(data: QueryDict, default_keys: list[str]) -> RefundChoice:
    by = data.get("by")
    keys = data.getlist("items") if ("items" in data or "check" in data) else default_keys
    return RefundChoice(keys=list(dict.fromkeys(k.strip() for k in keys if k.strip())),
                        by=RequestedBy(by) if by in RequestedBy else RequestedBy.SELLER,
                        reason=data.get("reason", "").strip()[:500])


def _order_url(order: Order, anchor: str = "refunds") -> str:
    return reverse("backoffice:order", args=[order.number]) + f"#{anchor}"


def _page(request: HttpRequest, order: Order, choice: RefundChoice, *, check: bool,
          error: str = "", status: int = 200) -> HttpResponse:
    items = refundable_items(order)
    refundable = order.status in REFUNDABLE_ORDER
    decision = None
    if check and refundable:
        try:
            decision = refund_eligibility(order=order, by=choice.by, at=clock.now(),
                                          keys=choice.keys)
        except DomainError as exc:  # keys that are not part of the order
            error = error or " ".join([exc.message, *exc.field_errors.values()])
    fragment = is_htmx_fragment(request)
    template = ("backoffice/orders/_refund_decision.html" if fragment
                else "backoffice/orders/refund.html")
    labels = {i.key: i.label for i in items}
    response = render(request, template, {
        "order": order, "items": items, "choice": choice, "refundable": refundable,
        "decision": decision, "error": error, "open_items": [i for i in items if not i.refunded],
        "rows": [(d, labels.get(d.key, d.key)) for d in decision.items] if decision else [],
    }, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@seller_required(roles=ORDER_ACTION_ROLES)
@require_http_methods(["GET", "POST"])
def order_refund(request: HttpRequest, number: str) -> HttpResponse:
    """GET: the items with checkboxes; with `check`, the eligibility decision and the
    confirm button. POST: request the refund."""
    order = order_or_404(request, number)
    all_open = [i.key for i in refundable_items(order) if not i.refunded]
    if request.method == "GET":
        return _page(request, order, _choice(request.GET, all_open),
                     check="check" in request.GET)
    choice = _choice(request.POST, [])
    try:
        refund = refund_request(seller=order.seller, order_number=order.number, by=choice.by,
                                actor=actor_of(request), keys=choice.keys,
                                reason=choice.reason)
    except DomainError as exc:
        earlier = exc.code == "already_refunded" and recent_refund_by(
            order=order, user=request.user, keys=choice.keys,
            since=clock.now() - DOUBLE_SUBMIT_WINDOW)
        if earlier:
            messages.info(request, _("Refund %(number)s was already requested; the form was "
                                     "sent twice.") % {"number": earlier.number})
            return redirect(_order_url(order))
        order.refresh_from_db()
        return _page(request, order, choice, check=True, error=exc.message,
                     status=exc.status)
    messages.success(request, _("Refund %(number)s of %(amount)s requested.")
                     % {"number": refund.number, "amount": refund.amount_display})
    return redirect(_order_url(order))


@seller_required(roles=ORDER_ACTION_ROLES)
@require_POST
def order_refund_retry(request: HttpRequest, number: str, refund: str) -> HttpResponse:
    """Send a failed refund to the provider again (same idempotency keys)."""
    order = order_or_404(request, number)
    target = Refund.objects.filter(order=order, number=refund.upper()).first()
    if target is None:
        raise Http404
    try:
        refund_retry(refund=target, actor=actor_of(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Refund %(number)s is being sent again.")
                         % {"number": target.number})
    return redirect(_order_url(order))
