"""The customer's key to their order: a signed link (postsale.orders.links). Every portal
view runs behind `order_link`, which turns the token into the order — or into a page that
says the link is not valid, showing nothing of any order — and renders the page in the
order's language and the seller's time zone."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

from postsale.core.audit import Actor
from postsale.orders import links
from postsale.orders.models import Order
from postsale.tickets.models import Ticket
from postsale.tickets.selectors import tickets_for_order


@dataclass(frozen=True)
class Link:
    """The order a valid link opened, and the order-page token to build the next links
    with (a fresh one behind a thank-you token; none behind a return-form token)."""

    order: Order
    token: str

    @property
    def url(self) -> str:
        return reverse("portal:order", args=[self.token]) if self.token else ""

    def ticket_url(self, number: str) -> str:
        return reverse("portal:ticket", args=[self.token, number])

    @property
    def actor(self) -> Actor:
        return Actor("customer", label=self.order.email)


def link_invalid(request: HttpRequest, state: str) -> HttpResponse:
    """A link that opens nothing. Expired and revoked links are genuine (we sent them), so
    the page may say so; tampered or made-up ones are simply not found. No order data
    either way."""
    genuine = state in (links.LinkState.EXPIRED, links.LinkState.REVOKED)
    response = render(request, "portal/link_invalid.html",
                      {"state": state, "expired": state == links.LinkState.EXPIRED},
                      status=403 if genuine else 404)
    private(response)
    return response


def page_language(request: HttpRequest, order: Order) -> str:
    """The order's language, unless the visitor picked another one with the switcher."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return order.language if order.language in dict(settings.LANGUAGES) else \
        settings.LANGUAGE_CODE


def private(response: HttpResponse) -> None:
    # The URL is the key: no shared cache may keep the page.
    patch_cache_control(response, private=True, no_store=True)
    response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")


def _order_page_token(salt: str, token: str, order: Order) -> str:
    """The thank-you page leads on to the order page; the return form (reached with an
    e-mail and an order number only) must not, so its link has no order-page token."""
    if salt == links.SALT:
        return token
    return links.order_token(order) if salt == links.THANK_YOU_SALT else ""


def signed_link(salt: str) -> Callable:
    """Call `view(request, link, …)` for a valid token of this kind; a Http404 raised
    inside (a ticket of another order) becomes the portal's own not-found page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
            opened = links.open_token(token, salt=salt)
            if opened.order is None:
                return link_invalid(request, opened.state)
            order = opened.order
            link = Link(order=order, token=_order_page_token(salt, token, order))
            language = page_language(request, order)
            with translation.override(language), timezone.override(order.seller.time_zone):
                try:
                    response = view(request, link, *args, **kwargs)
                except Http404:
                    response = render(request, "portal/not_found.html",
                                      {"link": link, "order": order}, status=404)
            response.headers.setdefault("Content-Language", language)
            private(response)
            return response

        return wrapper

    return decorator


# The order page and everything under it.
order_link = signed_link(links.SALT)


def ticket_or_404(link: Link, number: str) -> Ticket:
    """A ticket of this link's order; any other number (another order's ticket too) is
    not found."""
    ticket = (tickets_for_order(link.order).select_related("order__seller", "seller")
              .filter(number=number.strip().upper()).first())
    if ticket is None:
        raise Http404
    return ticket
