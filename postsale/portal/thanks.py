"""The thank-you page a sales channel sends the customer to after paying (SPEC §5): it
waits for the payment confirmation, polling with htmx, and then shows the entries — so
the customer has them even when the e-mail fails (the order page's own entries section,
with the PDFs and Wallet passes) — and the link to the order page.
Reached by its own signed token (`thank_you_url` in the API's order responses)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from postsale.orders.links import THANK_YOU_SALT
from postsale.orders.models import OrderStatus

from .access import Link, signed_link
from .presenters import ORDER_STATUS_WORDS

POLL_SECONDS = 3
# About five minutes of polling; then the page says what to do instead of waiting.
MAX_POLLS = 100
SHOWS_ENTRIES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


def _context(request: HttpRequest, link: Link, polls: int) -> dict:
    order = link.order
    waiting = order.status == OrderStatus.AWAITING_PAYMENT
    return {
        "link": link, "order": order, "token": request.resolver_match.kwargs["token"], "waiting": waiting and polls < MAX_POLLS,
        "timed_out": waiting and polls >= MAX_POLLS, "next_poll": polls + 1,
        "poll_seconds": POLL_SECONDS, "paid": order.status in SHOWS_ENTRIES,
        "status_words": ORDER_STATUS_WORDS.get(order.status, order.get_status_display()),
    }


@require_GET
@signed_link(THANK_YOU_SALT)
def thank_you(request: HttpRequest, link: Link) -> HttpResponse:
    return render(request, "portal/thank_you.html", _context(request, link, polls=0))


@require_GET
@signed_link(THANK_YOU_SALT)
def thank_you_status(request: HttpRequest, link: Link) -> HttpResponse:
    """htmx: the status part, asked every few seconds while the payment is awaited."""
    try:
        polls = max(int(request.GET.get("n", "0")), 0)
    except ValueError:
        polls = 0
    return render(request, "portal/_thank_you_status.html",
                  _context(request, link, polls=min(polls, MAX_POLLS)))
