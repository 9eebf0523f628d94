import itertools
from datetime import timedelta

from postsale.core import clock
from postsale.core.audit import SYSTEM
from postsale.orders.drafts import CustomerDraft, LineDraft, OrderDraft, PaymentDraft
from postsale.orders.models import Product, ProductKind, TimeSlot

_n = itertools.count(1)


def make_product(seller, *, sku: str | None = None, kind=ProductKind.OPEN_ENTRY,
                 price: int = 5000, currency: str | None = None, **kwargs) -> Product:
    sku = sku or f"product-{next(_n)}"
    return Product.objects.create(seller=seller, sku=sku, name=kwargs.pop("name", sku.title()),
                                  kind=kind, price=price, currency=currency or seller.currency,
                                  **kwargs)


def make_slot(product, *, capacity: int = 100, starts_in=timedelta(days=7)) -> TimeSlot:
    start = clock.now().replace(minute=0, second=0, microsecond=0) + starts_in
    return TimeSlot.objects.create(product=product, starts_at=start,
                                   ends_at=start + timedelta(hours=2), capacity=capacity)


def order_draft(product, *, quantity=2, email="anna.kowalska@example.com", slot=None,
                channel="web-shop", external_id=None, paid=False, currency=None) -> OrderDraft:
    return OrderDraft(
        channel=channel, currency=currency or product.currency, external_id=external_id,
        customer=CustomerDraft(email=email, first_name="Anna", last_name="Kowalska",
                               phone="+48 601 234 567"),
        lines=[LineDraft(product=product.sku, quantity=quantity,
                         time_slot=slot.pk if slot else None)],
        payment=PaymentDraft(provider="manual", transaction_id=f"tx-{next(_n)}")
        if paid else None)


def make_order(seller, product=None, *, paid=False, **kwargs):
    from postsale.payments.services import order_submit

    product = product or make_product(seller)
    order, _ = order_submit(seller=seller, draft=order_draft(product, paid=paid, **kwargs),
                            actor=SYSTEM, source="test")
    return order
