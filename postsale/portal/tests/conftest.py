from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from postsale.orders.links import order_token
from postsale.orders.tests.factories import make_order, make_product

WAW = ZoneInfo("Europe/Warsaw")
# A Friday afternoon: a customer's refund request waits until Monday 15:00 (SPEC §3).
FRIDAY = datetime(2026, 11, 20, 15, 0, tzinfo=WAW)


def order_link(order) -> str:
    return reverse("portal:order", args=[order_token(order)])


def ticket_link(order, number: str) -> str:
    return reverse("portal:ticket", args=[order_token(order), number])


@pytest.fixture
def friday():
    with time_machine.travel(FRIDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def paid(seller, friday):
    """Two open entries at 40.00 PLN each, paid on Friday."""
    product = make_product(seller, name="Museum entry", price=4000)
    return make_order(seller, product, quantity=2, paid=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()
