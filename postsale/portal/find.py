"""Reaching an order without its link (SPEC §6, §4.5).

"Find my order" (/o/find/): an e-mail address and an order number or payment id; a fresh
link goes to the order's address. The page's answer is the same whether or not anything
matched — same text, same status — and the same work is done either way: the lookup and
the e-mail happen in a background task queued in both cases.

The return-form link (/r/<seller>/) a sales channel puts in its own confirmation e-mail:
an e-mail address and the order number; when they match one of the seller's orders, the
return form of the order page, behind a short-lived token that opens nothing else.
Both are rate-limited per client address and per e-mail address typed."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from postsale.core.ratelimit import Rate, client_ip, rate_hit
from postsale.orders.links import return_form_token
from postsale.orders.selectors import orders_for_customer
from postsale.orders.tasks import find_order_and_send_link
from postsale.sellers.models import Seller

from .access import private
from .contact_forms import FindOrderForm, ReturnLookupForm


def _within_rate(request: HttpRequest, email: str) -> bool:
    """Count this attempt against the client's address and the address typed."""
    if not rate_hit("find-ip", client_ip(request), Rate(settings.POSTSALE_FIND_ORDER_PER_IP)):
        return False
    return rate_hit("find-email", email.lower(), Rate(settings.POSTSALE_FIND_ORDER_PER_EMAIL))


def too_many(request: HttpRequest, **context) -> HttpResponse:
    response = render(request, "portal/too_many.html", context, status=429)
    response.headers["Retry-After"] = "3600"
    private(response)
    return response


def _sent(request: HttpRequest, email: str, **context) -> HttpResponse:
    """The one answer to a lookup, whatever it found."""
    response = render(request, "portal/find_sent.html", {"email": email, **context})
    private(response)
    return response


@require_http_methods(["GET", "POST"])
def find_order(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = FindOrderForm()
        response = render(request, "portal/find.html", {"form": form})
        private(response)
        return response
    form = FindOrderForm(request.POST)
    if not form.is_valid():
        response = render(request, "portal/find.html", {
            "form": form, "errors": [_("Please correct the marked fields.")]}, status=422)
        private(response)
        return response
    email, reference = form.cleaned_data["email"], form.cleaned_data["reference"]
    if not _within_rate(request, email):
        return too_many(request)
    find_order_and_send_link.enqueue(email, reference)
    return _sent(request, email)


@require_http_methods(["GET", "POST"])
def return_start(request: HttpRequest, seller: str) -> HttpResponse:
    seller_obj = get_object_or_404(Seller, slug=seller)
    context = {"seller": seller_obj}
    if request.method == "GET":
        response = render(request, "portal/return_start.html",
                          context | {"form": ReturnLookupForm()})
        private(response)
        return response
    form = ReturnLookupForm(request.POST)
    if not form.is_valid():
        response = render(request, "portal/return_start.html", context | {
            "form": form, "errors": [_("Please correct the marked fields.")]}, status=422)
        private(response)
        return response
    email = form.cleaned_data["email"]
    if not _within_rate(request, email):
        return too_many(request, **context)
    found = orders_for_customer(email=email, reference=form.cleaned_data["reference"],
                                seller=seller_obj, limit=1)
    if not found:
        return _sent(request, email, **context)
    token = return_form_token(found[0])
    return redirect(reverse("returns:form", args=[seller_obj.slug, token]))
