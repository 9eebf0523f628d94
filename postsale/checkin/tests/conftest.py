from datetime import timedelta

import pytest

from postsale.orders.models import ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot


@pytest.fixture
def tour(seller):
    """A timed product with a slot running now (this hour, two hours long)."""
    product = make_product(seller, sku="tour", name="City tour", kind=ProductKind.TIMED_ENTRY,
                           price=2500)
    return make_slot(product, starts_in=timedelta(0), capacity=50)


@pytest.fixture
def paid(seller, tour):
    """A paid order of two entries of `tour`."""
    return make_order(seller, tour.product, slot=tour, quantity=2, paid=True)


@pytest.fixture
def entry(paid):
    return paid.entries.order_by("pk").first()
