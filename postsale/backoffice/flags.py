"""Acting on a payment alert from the order page: refund a payment the order does not need
(a second payment of an order already paid), or mark the alert as handled."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.views import ORDER_ACTION_ROLES, actor_of, order_or_404
from postsale.core.errors import DomainError
from postsale.payments.models import Payment, PaymentFlag
from postsale.payments.payment_refunds import payment_refund
from postsale.payments.settlement import payment_flag_resolve


def _back(number: str) -> HttpResponse:
    return redirect(reverse("backoffice:order", args=[number]) + "#flags")


@seller_required(roles=ORDER_ACTION_ROLES)
@require_POST
def payment_refund_view(request: HttpRequest, number: str, payment: int) -> HttpResponse:
    """Refund what is left of one payment of this order (a flagged duplicate)."""
    order = order_or_404(request, number)
    target = Payment.objects.filter(order=order, pk=payment).select_related("order").first()
    if target is None:
        raise Http404
    try:
        refund = payment_refund(payment=target, actor=actor_of(request),
                                reason=_("Duplicate payment"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Refund %(number)s of %(amount)s requested.")
                         % {"number": refund.number, "amount": refund.amount_display})
    return _back(order.number)


@seller_required(roles=ORDER_ACTION_ROLES)
@require_POST
def flag_resolve_view(request: HttpRequest, number: str, flag: int) -> HttpResponse:
    order = order_or_404(request, number)
    target = (PaymentFlag.objects.filter(Q(payment__order=order) | Q(related_order=order),
                                         seller=order.seller, pk=flag).first())
    if target is None:
        raise Http404
    payment_flag_resolve(payment_flag=target, actor=actor_of(request))
    messages.success(request, _("Marked as handled."))
    return _back(order.number)
