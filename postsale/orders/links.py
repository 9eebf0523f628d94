"""Signed links to a customer's order page. The customer has no password: the link is the
key, so it is signed, expires, and can be revoked; it never contains the order's secrets.

Every token carries the order's `link_generation`; raising it (`order_links_revoke`, an
e-mail change) makes every earlier link "revoked" at once, with nothing stored per link.
Tokens made before generations existed carry none and count as generation 0.

Three kinds of token, each with its own salt so one can never be used as another: the
order page (long-lived), the thank-you page a channel sends the customer to after paying,
and the return form reached from a sales channel's own e-mail (short-lived)."""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.urls import reverse

from postsale.orders.models import Order

SALT = "postsale.order-link"
THANK_YOU_SALT = "postsale.thank-you"
RETURN_FORM_SALT = "postsale.return-form"
RETURN_FORM_SECONDS = 2 * 3600  # enough to fill in a return form, not to keep as a key


class LinkState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"  # genuine, but too old
    REVOKED = "revoked"  # genuine, but a newer link replaced it
    INVALID = "invalid"  # tampered, made up, or its order is gone


@dataclass(frozen=True)
class Opened:
    """What a token opened: the order only when the link is valid."""

    state: LinkState
    order: Order | None = None


def _sign(order: Order, salt: str) -> str:
    return signing.TimestampSigner(salt=salt).sign_object(
        {"o": order.pk, "g": order.link_generation})


def _max_age(salt: str) -> int:
    if salt == THANK_YOU_SALT:
        return settings.POSTSALE_THANK_YOU_HOURS * 3600
    if salt == RETURN_FORM_SALT:
        return RETURN_FORM_SECONDS
    return settings.POSTSALE_ORDER_LINK_DAYS * 86400


def open_token(token: str, *, salt: str = SALT) -> Opened:
    """The order of a valid link, or why there is none."""
    signer = signing.TimestampSigner(salt=salt)
    try:
        data = signer.unsign_object(token, max_age=_max_age(salt))
    except signing.SignatureExpired:
        return Opened(LinkState.EXPIRED)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return Opened(LinkState.INVALID)
    order_id = data.get("o") if isinstance(data, dict) else None
    generation = data.get("g", 0) if isinstance(data, dict) else None
    if not isinstance(order_id, int) or not isinstance(generation, int):
        return Opened(LinkState.INVALID)
    order = Order.objects.select_related("seller", "customer").filter(pk=order_id).first()
    if order is None:
        return Opened(LinkState.INVALID)
    if generation != order.link_generation:
        return Opened(LinkState.REVOKED)
    return Opened(LinkState.VALID, order)


def order_token(order: Order) -> str:
    return _sign(order, SALT)


def order_from_token(token: str) -> Order | None:
    """The order of a valid, unexpired, unrevoked link; None otherwise."""
    return open_token(token).order


def token_expired(token: str) -> bool:
    """A genuine link that is too old (not a tampered or made-up one): the customer did
    get it from us, so a page may say it expired."""
    return open_token(token).state == LinkState.EXPIRED


def thank_you_token(order: Order) -> str:
    return _sign(order, THANK_YOU_SALT)


def return_form_token(order: Order) -> str:
    return _sign(order, RETURN_FORM_SALT)


def absolute(path: str) -> str:
    return settings.POSTSALE_BASE_URL + path


def order_url(order: Order) -> str:
    return absolute(reverse("portal:order", args=[order_token(order)]))


def order_ticket_url(order: Order, ticket_number: str) -> str:
    return absolute(reverse("portal:ticket", args=[order_token(order), ticket_number]))


def thank_you_url(order: Order) -> str:
    return absolute(reverse("portal:thank_you", args=[thank_you_token(order)]))
