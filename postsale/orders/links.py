"""Signed links to a customer's order page. The customer has no password: the link is the
key, so it is signed (and expires); it never contains the order's secrets."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from postsale.orders.models import Order

SALT = "postsale.order-link"


def order_token(order: Order) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"o": order.pk})


def order_from_token(token: str) -> Order | None:
    """The order of a valid, unexpired link; None for tampered or expired ones."""
    max_age = settings.POSTSALE_ORDER_LINK_DAYS * 86400
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    order_id = data.get("o") if isinstance(data, dict) else None
    if not isinstance(order_id, int):
        return None
    return Order.objects.select_related("seller", "customer").filter(pk=order_id).first()


def token_expired(token: str) -> bool:
    """A genuine link that is too old (not a tampered or made-up one): the customer did
    get it from us, so a page may say it expired."""
    try:
        signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=settings.POSTSALE_ORDER_LINK_DAYS * 86400)
    except signing.SignatureExpired:
        return True
    except (signing.BadSignature, ValueError, TypeError):
        return False
    return False


def absolute(path: str) -> str:
    return settings.POSTSALE_BASE_URL + path


def order_url(order: Order) -> str:
    return absolute(reverse("portal:order", args=[order_token(order)]))


def order_ticket_url(order: Order, ticket_number: str) -> str:
    return absolute(reverse("portal:ticket", args=[order_token(order), ticket_number]))
