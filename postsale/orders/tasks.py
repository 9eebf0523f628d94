from django.tasks import task

from postsale.orders.mail_services import order_links_find_send
from postsale.sellers.models import Seller


@task
def find_order_and_send_link(email: str, reference: str, seller_id: int | None = None) -> int:
    """"Find my order" in the background, so the page answers in the same time whether or
    not anything matches."""
    seller = Seller.objects.filter(pk=seller_id).first() if seller_id else None
    if seller_id and seller is None:
        return 0
    return order_links_find_send(email=email, reference=reference, seller=seller)
