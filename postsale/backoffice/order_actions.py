"""Order actions gathered in the order page's menu that have no page of their own
elsewhere: canceling an order (confirm step with a reason). Refunds, exchanges, tickets
and payment alerts have their modules (refunds.py, exchanges.py, ticket_actions.py,
flags.py)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.views import actor_of, order_or_404
from postsale.core.errors import DomainError
from postsale.orders.models import EntryStatus, Order, OrderStatus
from postsale.orders.rules import cancel_decision
from postsale.orders.services import order_cancel
from postsale.payments.refunds import REFUNDABLE_ORDER

MAX_REASON = 500


def _page(request: HttpRequest, order: Order, *, reason: str = "", error: str = "",
          status: int = 200) -> HttpResponse:
    return render(request, "backoffice/orders/cancel.html", {
        "order": order, "decision": cancel_decision(order.status), "reason": reason,
        "error": error, "refundable": order.status in REFUNDABLE_ORDER,
        "entries_left": order.entries.exclude(status=EntryStatus.VOID).count(),
    }, status=status)


@seller_required(can=Cap.ACT_ON_ORDERS)
@require_http_methods(["GET", "POST"])
def order_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    """GET: what canceling does, or why it is not possible; POST: cancel, with a reason."""
    order = order_or_404(request, number)
    if request.method == "GET":
        return _page(request, order)
    if order.status == OrderStatus.CANCELED:  # the form sent twice
        messages.info(request, _("Order %(number)s was already canceled.") % {
            "number": order.number})
        return redirect("backoffice:order", order.number)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        return _page(request, order, status=422,
                     error=_("Say why the order is canceled; the reason is kept in its "
                             "history."))
    try:
        order_cancel(order=order, actor=actor_of(request), reason=reason[:MAX_REASON])
    except DomainError as exc:
        order.refresh_from_db()
        return _page(request, order, reason=reason, error=exc.message, status=exc.status)
    messages.success(request, _("Order %(number)s is canceled; its entries are void.") % {
        "number": order.number})
    return redirect("backoffice:order", order.number)
