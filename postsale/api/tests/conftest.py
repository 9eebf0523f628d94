"""Helpers for the API tests: JSON requests, a valid order body, row counts, clients."""

import copy
import json

import pytest
from django.test import Client
from hypothesis import strategies as st

from postsale.orders.tests.factories import make_product, make_slot
from postsale.sellers.tests.factories import make_token

ORDERS = "/api/v1/orders"
EVENTS = "/api/v1/payments/events"


def post(client: Client, url: str, body, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data, content_type="application/json", headers=headers)


# Any JSON value, for fuzzing a field.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8)

DROP = object()  # order_body(customer=DROP) leaves the key out


def order_body(**changes) -> dict:
    """A valid order for the `product` fixture; `changes` replace top-level keys."""
    body = {"channel": "web-shop", "currency": "PLN",
            "customer": {"email": "jan.nowak@example.com", "first_name": "Jan",
                         "last_name": "Nowak", "phone": "+48 601 234 567"},
            "lines": [{"product": "museum-open", "quantity": 2}]}
    body.update(changes)
    return copy.deepcopy({k: v for k, v in body.items() if v is not DROP})


def assert_error(response, status: int, code: str | None = None, field: str | None = None):
    """Our error shape, with `field` among the reported field paths."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["message"]
    if code:
        assert body["code"] == code, body
    if field:
        assert field in body["fields"], body
    return body


def unsigned(order: dict) -> dict:
    """An order response with its signed links cut to what they point at: a signature
    carries the second it was made, so two responses a second apart differ there only."""
    def cut(url: str) -> str:
        return url.rsplit("/", 2)[0] + "/" + url.rsplit("/", 2)[1].split(":")[0]

    return order | {key: cut(order[key]) for key in ("order_page_url", "thank_you_url")
                    if order.get(key)}


def row_counts() -> dict[str, int]:
    from postsale.api.models import IdempotencyRecord
    from postsale.orders.models import Customer, Entry, Order, OrderLine
    from postsale.payments.models import Payment, PaymentEvent

    return {m.__name__: m.objects.count() for m in (
        Order, OrderLine, Entry, Customer, Payment, PaymentEvent, IdempotencyRecord)}


def client_for(seller, scopes=None) -> Client:
    return Client(headers={"Authorization": f"Bearer {make_token(seller, scopes)}"})


@pytest.fixture
def product(seller):
    return make_product(seller, sku="museum-open", price=4000)


@pytest.fixture
def timed(seller):
    """A timed-entry product with one slot of 5 places."""
    from postsale.orders.models import ProductKind

    product = make_product(seller, sku="tour", price=2500, kind=ProductKind.TIMED_ENTRY)
    return product, make_slot(product, capacity=5)


@pytest.fixture
def other_api(other_seller):
    """A client with a token of the other seller (B)."""
    return client_for(other_seller)


@pytest.fixture
def create_order(api, product):
    """POST a valid order (with changes) as seller A; returns the response JSON."""
    def create(**changes):
        r = post(api, ORDERS, order_body(**changes))
        assert r.status_code in (200, 201), r.content
        return r.json()
    return create
