"""Refunds over the API: eligibility with reasons, full and partial refunds, conflicts,
windows, tenancy, scopes and idempotency."""

from datetime import timedelta

import httpx
import pytest
import time_machine

from postsale.api.models import IdempotencyRecord
from postsale.api.tests.conftest import assert_error, client_for, post
from postsale.api.tests.test_idempotency import _fire_concurrently
from postsale.core import clock
from postsale.orders.models import EntryStatus, OrderStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments.models import Payment, Refund, RefundStatus
from postsale.sellers.tests.factories import make_token

KEY = {"Idempotency-Key": "refund-key-1"}


def url(order, tail="refunds") -> str:
    return f"/api/v1/orders/{order.number}/{tail}"


def eligibility(client, order, **params):
    return client.get(url(order, "refund-eligibility"), params)


def entry_keys(order) -> list[str]:
    return [f"entry:{e.number}" for e in order.entries.order_by("id")]


@pytest.fixture
def paid(seller):
    """A paid order of two museum entries at 40.00 PLN."""
    return make_order(seller, make_product(seller, sku="museum", name="Museum entry",
                                           price=4000), quantity=2, paid=True)


@pytest.fixture
def strict(seller):
    """A paid order of a non-refundable product."""
    product = make_product(seller, sku="gala", name="Gala night", price=10000,
                           non_refundable=True)
    return make_order(seller, product, quantity=1, paid=True)


class TestEligibility:
    def test_everything_not_refunded_is_listed_with_amounts(self, api, paid):
        r = eligibility(api, paid)
        assert r.status_code == 200, r.content
        body = r.json()
        assert (body["allowed"], body["amount"], body["fee"], body["currency"]) == (
            True, 8000, 0, "PLN")
        assert [i["key"] for i in body["items"]] == entry_keys(paid)
        assert all(i["label"].endswith("Museum entry") for i in body["items"])
        assert body["refunded"] == []

    def test_a_customer_may_not_refund_a_non_refundable_product_and_is_told_why(
            self, api, strict):
        body = eligibility(api, strict, by="customer").json()
        assert body["allowed"] is False and body["amount"] == 0
        assert any("non-refundable" in reason for reason in body["reasons"])
        assert body["items"][0]["allowed"] is False
        assert body["items"][0]["reasons"] == body["reasons"]

    def test_the_seller_may_and_the_reasons_say_it_is_a_goodwill_refund(self, api, strict):
        body = eligibility(api, strict, by="seller").json()
        assert body["allowed"] is True and body["amount"] == 10000
        assert any("you may still refund it" in reason for reason in body["reasons"])
        assert eligibility(api, strict).json() == body  # `seller` is the default

    def test_the_customer_pays_the_fee_the_seller_does_not(self, api, seller):
        product = make_product(seller, price=5000, refund_fee_percent=10, refund_fee_fixed=100)
        order = make_order(seller, product, quantity=1, paid=True)
        customer = eligibility(api, order, by="customer").json()
        assert (customer["amount"], customer["fee"]) == (4400, 600)
        assert any("6.00 PLN" in reason for reason in customer["reasons"])
        assert (eligibility(api, order, by="seller").json()["fee"]) == 0

    def test_a_customer_outside_the_window_sees_the_window(self, api, paid):
        with time_machine.travel(clock.now() + timedelta(days=61)):
            customer = eligibility(api, paid, by="customer").json()
            seller = eligibility(api, paid, by="seller").json()
        assert customer["allowed"] is False
        assert any("more than 60 days ago" in reason for reason in customer["reasons"])
        assert seller["allowed"] is True

    def test_a_timed_entry_close_to_its_slot_is_refused_for_the_customer(self, api, seller):
        product = make_product(seller, kind=ProductKind.TIMED_ENTRY, price=3000,
                               refund_until_hours_before=48)
        slot = make_slot(product, starts_in=timedelta(hours=24))
        order = make_order(seller, product, slot=slot, quantity=1, paid=True)
        body = eligibility(api, order, by="customer").json()
        assert body["allowed"] is False
        assert any("48 hours before" in reason for reason in body["reasons"])

    def test_chosen_items_only(self, api, paid):
        first = entry_keys(paid)[0]
        body = eligibility(api, paid, items=[first]).json()
        assert [i["key"] for i in body["items"]] == [first] and body["amount"] == 4000

    def test_a_line_without_entries_is_an_item(self, api, seller):
        goods = make_product(seller, kind=ProductKind.GOODS, price=1500)
        order = make_order(seller, goods, quantity=2, paid=True)
        key = f"line:{order.lines.get().pk}"
        body = eligibility(api, order, items=[key]).json()
        assert body["items"][0]["key"] == key and body["amount"] == 3000

    def test_refunded_items_are_reported_and_no_longer_offered(self, api, paid):
        first, second = entry_keys(paid)
        assert post(api, url(paid), {"items": [first]}).status_code == 201
        body = eligibility(api, paid).json()
        assert body["refunded"] == [first]
        assert [i["key"] for i in body["items"]] == [second]
        asked = eligibility(api, paid, items=[first]).json()
        assert asked["allowed"] is False
        assert "already refunded" in asked["reasons"][0]

    def test_unknown_and_malformed_item_keys_are_422(self, api, paid):
        assert_error(eligibility(api, paid, items=["entry:TID-NOPE"]), 422, "invalid", "items")
        assert_error(eligibility(api, paid, items=["everything"]), 422, "invalid", "items[0]")
        assert_error(eligibility(api, paid, by="agent"), 422, "invalid", "by")

    def test_an_unpaid_order_is_409(self, api, seller):
        order = make_order(seller)
        body = assert_error(eligibility(api, order), 409, "order_not_refundable")
        assert "awaiting payment" in body["message"]

    def test_checking_changes_nothing(self, api, paid):
        eligibility(api, paid)
        assert not Refund.objects.exists()
        assert Payment.objects.get().refunded_amount == 0


class TestRefund:
    def test_a_full_refund_is_requested_then_processed(
            self, api, paid, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            r = post(api, url(paid), {"reason": "Customer moved abroad"})
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["number"].startswith("RFD-")
        assert (body["status"], body["amount"], body["fee"], body["currency"]) == (
            "requested", 8000, 0, "PLN")
        assert body["requested_by"] == "seller" and body["reason"] == "Customer moved abroad"
        assert sorted(i["key"] for i in body["items"]) == sorted(entry_keys(paid))
        # the task ran on commit
        listed = api.get(url(paid)).json()["items"]
        assert [(x["number"], x["status"]) for x in listed] == [(body["number"], "succeeded")]
        assert listed[0]["succeeded_at"] and listed[0]["attempts"] == 1
        paid.refresh_from_db()
        assert paid.status == OrderStatus.REFUNDED
        assert set(paid.entries.values_list("status", flat=True)) == {EntryStatus.VOID}

    def test_a_partial_refund_of_one_entry(self, api, paid, django_capture_on_commit_callbacks):
        first, second = entry_keys(paid)
        with django_capture_on_commit_callbacks(execute=True):
            r = post(api, url(paid), {"items": [first], "by": "customer"})
        assert r.status_code == 201, r.content
        assert r.json()["items"] == [{"key": first, "amount": 4000}]
        assert r.json()["requested_by"] == "customer"
        paid.refresh_from_db()
        assert paid.status == OrderStatus.PARTIALLY_REFUNDED
        statuses = dict(paid.entries.values_list("number", "status"))
        assert statuses == {first[6:]: EntryStatus.VOID, second[6:]: EntryStatus.VALID}

    def test_the_customer_fee_is_kept(self, api, seller):
        product = make_product(seller, price=5000, refund_fee_fixed=500)
        order = make_order(seller, product, quantity=1, paid=True)
        body = post(api, url(order), {"by": "customer"}).json()
        assert (body["amount"], body["fee"]) == (4500, 500)
        assert any("5.00 PLN" in reason for reason in body["reasons"])

    def test_the_same_entry_twice_is_409_and_reserves_nothing_more(self, api, paid):
        first = entry_keys(paid)[0]
        assert post(api, url(paid), {"items": [first]}).status_code == 201
        body = assert_error(post(api, url(paid), {"items": [first]}), 409, "already_refunded")
        assert first.removeprefix("entry:") in body["message"]
        assert Refund.objects.count() == 1
        assert Payment.objects.get().refunded_amount == 4000

    def test_a_refunded_order_is_409(self, api, paid, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(api, url(paid), {}).status_code == 201
        body = assert_error(post(api, url(paid), {}), 409, "order_not_refundable")
        assert "refunded" in body["message"]
        assert_error(eligibility(api, paid), 409, "order_not_refundable")
        assert Refund.objects.count() == 1

    def test_nothing_left_while_a_full_refund_is_processed_changes_nothing(self, api, paid):
        assert post(api, url(paid), {}).status_code == 201
        assert post(api, url(paid), {}).status_code in (409, 422)
        assert Refund.objects.count() == 1

    def test_outside_the_customers_window_is_422_with_the_reason(self, api, paid):
        with time_machine.travel(clock.now() + timedelta(days=61)):
            body = assert_error(post(api, url(paid), {"by": "customer"}), 422,
                                "not_refundable")
        assert "more than 60 days ago" in body["message"]
        assert not Refund.objects.exists()
        assert Payment.objects.get().refunded_amount == 0

    def test_outside_the_sellers_window_too(self, api, paid):
        with time_machine.travel(clock.now() + timedelta(days=91)):
            body = assert_error(post(api, url(paid), {}), 422, "not_refundable")
        assert "90 days" in body["message"]

    def test_a_customer_cannot_refund_a_non_refundable_product_but_the_seller_can(
            self, api, strict):
        body = assert_error(post(api, url(strict), {"by": "customer"}), 422, "not_refundable")
        assert "non-refundable" in body["message"]
        assert post(api, url(strict), {"by": "seller"}).status_code == 201

    def test_an_unpaid_order_is_409(self, api, seller):
        order = make_order(seller)
        assert_error(post(api, url(order), {}), 409, "order_not_refundable")
        assert not Refund.objects.exists()

    @pytest.mark.parametrize("body, field", [
        ({"items": ["entry:TID-NOPE"]}, "items"),
        ({"items": []}, "items"),
        ({"items": ["all"]}, "items[0]"),
        ({"by": "agent"}, "by"),
        ({"reason": "x" * 501}, "reason"),
        ({"reason": "two\nlines"}, "reason"),
        ({"items": "entry:TID-X"}, "items"),
    ])
    def test_invalid_bodies_are_422_and_change_nothing(self, api, paid, body, field):
        assert_error(post(api, url(paid), body), 422, field=field)
        assert not Refund.objects.exists()

    def test_a_body_that_is_not_json_is_400(self, api, paid):
        assert_error(post(api, url(paid), "{nope"), 400, "malformed")

    def test_unknown_order_is_404(self, api, db):
        assert_error(post(api, "/api/v1/orders/PID-00000000/refunds", {}), 404,
                     "order_not_found")
        assert_error(api.get("/api/v1/orders/PID-00000000/refunds"), 404, "order_not_found")
        assert_error(api.get("/api/v1/orders/PID-00000000/refund-eligibility"), 404,
                     "order_not_found")


class TestListing:
    def test_every_refund_with_its_status_newest_first(self, api, paid):
        first, second = entry_keys(paid)
        older = post(api, url(paid), {"items": [first]}).json()["number"]
        newer = post(api, url(paid), {"items": [second]}).json()["number"]
        Refund.objects.filter(number=older).update(status=RefundStatus.FAILED,
                                                   last_error="ProviderRejected: no")
        items = api.get(url(paid)).json()["items"]
        assert [(i["number"], i["status"]) for i in items] == [
            (newer, "requested"), (older, "failed")]
        assert items[1]["last_error"] == "ProviderRejected: no"

    def test_an_order_without_refunds_has_an_empty_list(self, api, paid):
        assert api.get(url(paid)).json() == {"items": []}


class TestTenancy:
    def test_another_sellers_order_is_404_like_a_missing_one(self, other_api, paid):
        for response in (eligibility(other_api, paid), other_api.get(url(paid)),
                         post(other_api, url(paid), {})):
            body = assert_error(response, 404, "order_not_found")
            assert body["message"] == f"No order {paid.number} for this seller."
        assert not Refund.objects.exists()

    def test_their_idempotency_key_is_not_ours(self, api, other_api, paid, other_seller):
        theirs = make_order(other_seller, make_product(other_seller), paid=True)
        assert post(api, url(paid), {}, **KEY).status_code == 201
        assert post(other_api, url(theirs), {}, **KEY).status_code == 201
        assert Refund.objects.count() == 2


class TestScopes:
    def test_requesting_needs_refunds_write(self, seller, paid):
        client = client_for(seller, ["orders:read", "orders:write", "refunds:read"])
        body = assert_error(post(client, url(paid), {}), 403, "missing_scope")
        assert "refunds:write" in body["message"]
        assert not Refund.objects.exists()

    def test_reading_needs_refunds_read(self, seller, paid):
        client = client_for(seller, ["orders:read", "refunds:write"])
        assert_error(eligibility(client, paid), 403, "missing_scope")
        assert_error(client.get(url(paid)), 403, "missing_scope")

    def test_each_scope_allows_its_operations(self, seller, paid):
        reader = client_for(seller, ["refunds:read"])
        assert eligibility(reader, paid).status_code == 200
        assert reader.get(url(paid)).status_code == 200
        assert post(client_for(seller, ["refunds:write"]), url(paid), {}).status_code == 201

    def test_new_tokens_get_the_refund_scopes_by_default(self, seller):
        from postsale.sellers.models import ApiToken

        make_token(seller)
        assert {"refunds:read", "refunds:write", "exchanges:write"} <= set(
            ApiToken.objects.get().scopes)


class TestIdempotency:
    def test_the_same_key_twice_gives_one_refund_and_the_identical_response(self, api, paid):
        first = post(api, url(paid), {"items": entry_keys(paid)[:1]}, **KEY)
        second = post(api, url(paid), {"items": entry_keys(paid)[:1]}, **KEY)
        assert first.status_code == second.status_code == 201
        assert second.content == first.content
        assert Refund.objects.count() == 1

    def test_the_same_key_with_another_body_is_422(self, api, paid):
        post(api, url(paid), {"items": entry_keys(paid)[:1]}, **KEY)
        body = assert_error(post(api, url(paid), {"items": entry_keys(paid)[1:]}, **KEY), 422,
                            "idempotency_key_reused", "Idempotency-Key")
        assert body["message"]
        assert Refund.objects.count() == 1

    def test_the_same_key_on_another_order_is_422(self, api, paid, seller):
        other = make_order(seller, make_product(seller), paid=True)
        post(api, url(paid), {}, **KEY)
        assert_error(post(api, url(other), {}, **KEY), 422, "idempotency_key_reused")
        assert Refund.objects.count() == 1

    def test_a_refused_request_leaves_no_record_and_may_be_retried(self, api, seller):
        order = make_order(seller, make_product(seller, non_refundable=True), paid=True)
        assert_error(post(api, url(order), {"by": "customer"}, **KEY), 422)
        assert not IdempotencyRecord.objects.exists()
        assert post(api, url(order), {"by": "customer"}, **KEY).status_code == 422
        assert post(api, url(order), {"by": "customer", "reason": "goodwill"},
                    **KEY).status_code == 422


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_refunds_of_one_entry_give_one_refund_and_clear_conflicts(
        live_server, seller):
    order = make_order(seller, make_product(seller, price=4000), quantity=2, paid=True)
    key = entry_keys(order)[0]
    responses = _fire_concurrently(live_server.url + url(order), make_token(seller),
                                   {"items": [key]}, {})
    assert all(isinstance(r, httpx.Response) for r in responses), responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {
        "already_refunded"}
    assert Refund.objects.count() == 1
    assert Payment.objects.get().refunded_amount == 4000
