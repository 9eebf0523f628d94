"""A token sees and touches only its own seller's data; authentication and scopes."""

import json

import pytest
from django.test import Client

from postsale.api.tests.conftest import (
    EVENTS,
    ORDERS,
    assert_error,
    client_for,
    order_body,
    post,
    row_counts,
)
from postsale.orders.models import Order, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments.models import Payment
from postsale.sellers.models import ApiToken
from postsale.sellers.services import channel_create
from postsale.sellers.tests.factories import make_token


@pytest.fixture
def a_order(seller, product):
    """Seller A's order (A is `seller`, the `api` client's seller)."""
    return make_order(seller, product, external_id="a-1", email="alice@example.com")


class TestAnotherSellersOrders:
    def test_reading_is_404_like_a_missing_order(self, other_api, a_order):
        theirs = assert_error(other_api.get(f"{ORDERS}/{a_order.number}"), 404,
                              "order_not_found")
        missing = assert_error(other_api.get(f"{ORDERS}/PID-00000000"), 404)
        assert theirs["message"].replace(a_order.number, "X") == missing["message"].replace(
            "PID-00000000", "X")

    def test_recording_a_payment_is_404_and_changes_nothing(self, other_api, a_order):
        before = row_counts()
        r = post(other_api, EVENTS, {"order": a_order.number, "provider": "manual",
                                     "transaction_id": "T-1", "status": "confirmed"})
        assert_error(r, 404, "order_not_found")
        assert row_counts() == before
        a_order.refresh_from_db()
        assert a_order.status == "awaiting_payment"

    def test_they_never_appear_in_the_list(self, other_api, other_seller, a_order, api):
        b_product = make_product(other_seller, sku="museum-open")
        b_order = make_order(other_seller, b_product, email="alice@example.com")
        listed = [o["number"] for o in other_api.get(ORDERS, {"limit": 200}).json()["items"]]
        assert listed == [b_order.number]
        for filters in ({"email": "alice@example.com"}, {"channel": "web-shop"},
                        {"status": "awaiting_payment"}):
            items = other_api.get(ORDERS, filters).json()["items"]
            assert [o["number"] for o in items] == [b_order.number], filters
        # and the other way round
        assert [o["number"] for o in api.get(ORDERS).json()["items"]] == [a_order.number]

    def test_their_external_id_is_not_ours(self, other_api, other_seller, a_order):
        make_product(other_seller, sku="museum-open", price=4000)
        r = post(other_api, ORDERS, order_body(external_id="a-1"))
        assert r.status_code == 201  # a new order of B, not A's
        assert r.json()["number"] != a_order.number

    def test_their_idempotency_key_is_not_ours(self, api, other_api, other_seller, product):
        make_product(other_seller, sku="museum-open", price=4000)
        a = post(api, ORDERS, order_body(), **{"Idempotency-Key": "k-1"})
        b = post(other_api, ORDERS, order_body(), **{"Idempotency-Key": "k-1"})
        assert a.status_code == b.status_code == 201
        assert a.json()["number"] != b.json()["number"]
        assert Order.objects.filter(seller=other_seller).count() == 1


class TestAnotherSellersCatalogue:
    def test_their_channel_code_is_unknown(self, other_api, seller, other_seller):
        channel_create(seller=seller, code="a-kiosk", name="A's kiosk")
        make_product(other_seller, sku="museum-open")
        before = row_counts()
        assert_error(post(other_api, ORDERS, order_body(channel="a-kiosk")), 422,
                     "unknown_channel", "channel")
        assert row_counts() == before

    def test_their_product_code_is_unknown(self, other_api, product):
        before = row_counts()
        assert_error(post(other_api, ORDERS, order_body()), 422, field="lines[0].product")
        assert row_counts() == before

    def test_their_time_slot_cannot_be_booked(self, other_api, seller, other_seller):
        a_slot = make_slot(make_product(seller, sku="tour", kind=ProductKind.TIMED_ENTRY))
        make_product(other_seller, sku="tour", kind=ProductKind.TIMED_ENTRY)
        r = post(other_api, ORDERS, order_body(lines=[{"product": "tour", "quantity": 1,
                                                       "time_slot": a_slot.pk}]))
        assert_error(r, 422, field="lines[0].time_slot")

    def test_their_transaction_id_is_a_new_payment(self, api, other_api, other_seller,
                                                   a_order):
        post(api, EVENTS, {"order": a_order.number, "provider": "manual",
                           "transaction_id": "T-1", "status": "pending"})
        b_order = make_order(other_seller, make_product(other_seller))
        r = post(other_api, EVENTS, {"order": b_order.number, "provider": "manual",
                                     "transaction_id": "T-1", "status": "pending"})
        assert r.status_code == 200, r.content
        assert Payment.objects.filter(provider_transaction_id="T-1").count() == 2


ENDPOINTS = [("get", ORDERS), ("get", f"{ORDERS}/PID-00000000"), ("post", ORDERS),
             ("post", EVENTS)]


def call(client: Client, method: str, url: str):
    if method == "get":
        return client.get(url)
    return post(client, url, {})


class TestAuthentication:
    @pytest.mark.parametrize("method, url", ENDPOINTS)
    @pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Bearer pst_wrong",
                                        "Token pst_x", "Basic dXNlcjpwYXNz", "Bearer a\tb"])
    def test_missing_or_invalid_token_is_401(self, seller, method, url, header):
        client = Client(headers={"Authorization": header} if header is not None else {})
        body = assert_error(call(client, method, url), 401, "unauthorized")
        assert "Bearer" in body["message"]

    @pytest.mark.parametrize("method, url", ENDPOINTS)
    def test_revoked_token_is_401(self, seller, method, url):
        plain = make_token(seller)
        ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
        client = Client(headers={"Authorization": f"Bearer {plain}"})
        assert_error(call(client, method, url), 401, "unauthorized")

    def test_the_token_is_checked_before_the_body(self, seller):
        r = Client().post(ORDERS, "{not json", content_type="application/json")
        assert_error(r, 401, "unauthorized")


class TestScopes:
    @pytest.fixture
    def valid_event(self, a_order):
        return {"order": a_order.number, "provider": "manual", "transaction_id": "T",
                "status": "confirmed"}

    def test_creating_orders_needs_orders_write(self, seller, product):
        client = client_for(seller, ["orders:read", "payments:write"])
        before = row_counts()
        body = assert_error(post(client, ORDERS, order_body()), 403, "missing_scope")
        assert "orders:write" in body["message"]
        assert row_counts() == before

    def test_reading_orders_needs_orders_read(self, seller, a_order):
        client = client_for(seller, ["orders:write", "payments:write"])
        assert_error(client.get(ORDERS), 403, "missing_scope")
        assert_error(client.get(f"{ORDERS}/{a_order.number}"), 403, "missing_scope")

    def test_recording_payments_needs_payments_write(self, seller, valid_event):
        client = client_for(seller, ["orders:read", "orders:write"])
        before = row_counts()
        assert_error(post(client, EVENTS, valid_event), 403, "missing_scope")
        assert row_counts() == before

    def test_a_token_without_scopes_can_do_nothing(self, seller, a_order, valid_event):
        client = client_for(seller, [])
        assert_error(client.get(ORDERS), 403)
        assert_error(client.get(f"{ORDERS}/{a_order.number}"), 403)
        assert_error(post(client, ORDERS, order_body()), 403)
        assert_error(post(client, EVENTS, valid_event), 403)

    def test_each_scope_allows_its_operations(self, seller, a_order, valid_event):
        assert client_for(seller, ["orders:read"]).get(ORDERS).status_code == 200
        r = post(client_for(seller, ["orders:write"]), ORDERS, order_body())
        assert r.status_code == 201, r.content
        r = post(client_for(seller, ["payments:write"]), EVENTS, valid_event)
        assert r.status_code == 200, r.content
        assert json.loads(r.content)["order"]["status"] == "paid"
