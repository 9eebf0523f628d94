"""Exchanges over the API: quote, exchange into a free or a full slot, price differences,
the customer's terms, tenancy, scopes and idempotency."""

from datetime import timedelta

import pytest

from postsale.api.tests.conftest import assert_error, client_for, post
from postsale.orders.models import Entry, EntryStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments.models import Exchange, ExchangeStatus, Refund

KEY = {"Idempotency-Key": "exchange-key-1"}


def url(order, tail="exchanges") -> str:
    return f"/api/v1/orders/{order.number}/{tail}"


def quote(client, order, entry, slot, by="seller"):
    return client.get(url(order, "exchange-quote"),
                      {"entry": entry.number, "time_slot": slot.pk, "by": by})


@pytest.fixture
def tour(seller):
    """A timed product at 25.00 PLN: the booked slot (in 7 days), a free one (8 days) and
    a full one (9 days, 1 place, taken)."""
    product = make_product(seller, sku="tour", name="City tour", price=2500,
                           kind=ProductKind.TIMED_ENTRY, exchange_fee=300,
                           exchange_until_hours_before=48)
    booked = make_slot(product, capacity=10)
    free = make_slot(product, capacity=10, starts_in=timedelta(days=8))
    full = make_slot(product, capacity=1, starts_in=timedelta(days=9))
    make_order(seller, product, slot=full, quantity=1, paid=True)
    return product, booked, free, full


@pytest.fixture
def paid(seller, tour):
    product, booked, _, _ = tour
    return make_order(seller, product, slot=booked, quantity=2, paid=True)


@pytest.fixture
def entry(paid):
    return paid.entries.order_by("id").first()


class TestQuote:
    def test_a_free_slot_of_the_same_product_costs_nothing_for_the_seller(
            self, api, paid, entry, tour):
        r = quote(api, paid, entry, tour[2])
        assert r.status_code == 200, r.content
        body = r.json()
        assert (body["allowed"], body["code"], body["difference"], body["fee"]) == (
            True, "", 0, 0)
        assert (body["old_price"], body["new_price"], body["currency"]) == (2500, 2500, "PLN")
        assert body["places_left"] == 10
        assert body["reasons"] == ["Nothing more to pay."]

    def test_the_customer_pays_the_exchange_fee(self, api, paid, entry, tour):
        body = quote(api, paid, entry, tour[2], by="customer").json()
        assert (body["allowed"], body["fee"], body["difference"]) == (True, 300, 300)
        assert any("3.00 PLN" in reason for reason in body["reasons"])

    def test_a_full_slot_is_refused_with_the_reason(self, api, paid, entry, tour):
        body = quote(api, paid, entry, tour[3]).json()
        assert (body["allowed"], body["code"], body["places_left"]) == (False, "slot_full", 0)
        assert "This time is full. Choose another time." in body["reasons"]

    def test_quoting_changes_nothing(self, api, paid, entry, tour):
        quote(api, paid, entry, tour[2])
        assert not Exchange.objects.exists()
        assert Entry.objects.filter(order=paid).count() == 2

    def test_unknown_entry_or_slot_is_404(self, api, paid, entry, other_seller):
        theirs = make_slot(make_product(other_seller, kind=ProductKind.TIMED_ENTRY))
        assert_error(quote(api, paid, entry, theirs), 404, "time_slot_not_found")
        r = api.get(url(paid, "exchange-quote"), {"entry": "TID-NOPE", "time_slot": theirs.pk})
        assert_error(r, 404, "entry_not_found")

    @pytest.mark.parametrize("params, field", [
        ({"time_slot": 1}, "entry"), ({"entry": "TID-X"}, "time_slot"),
        ({"entry": "TID-X", "time_slot": 0}, "time_slot"),
        ({"entry": "TID-X", "time_slot": 1, "by": "agent"}, "by"),
    ])
    def test_bad_queries_are_422(self, api, paid, params, field):
        assert_error(api.get(url(paid, "exchange-quote"), params), 422, "invalid", field)


class TestExchange:
    def test_into_a_free_slot_the_old_entry_is_void_and_the_new_one_valid(
            self, api, paid, entry, tour):
        free = tour[2]
        r = post(api, url(paid), {"entry": entry.number, "time_slot": free.pk})
        assert r.status_code == 201, r.content
        body = r.json()
        assert (body["status"], body["old_entry"], body["difference"]) == (
            "completed", entry.number, 0)
        assert body["new_entry"].startswith("TID-") and body["new_entry"] != entry.number
        assert body["time_slot"]["id"] == free.pk
        assert body["refund"] is None and body["completed_at"]
        entry.refresh_from_db()
        new = Entry.objects.get(number=body["new_entry"])
        assert (entry.status, new.status, new.time_slot_id) == (
            EntryStatus.VOID, EntryStatus.VALID, free.pk)

    def test_into_a_full_slot_is_409_with_the_reason_and_changes_nothing(
            self, api, paid, entry, tour):
        body = assert_error(post(api, url(paid), {"entry": entry.number,
                                                  "time_slot": tour[3].pk}), 409, "slot_full")
        assert "This time is full" in body["message"]
        entry.refresh_from_db()
        assert entry.status == EntryStatus.VALID
        assert not Exchange.objects.exists()

    def test_a_cheaper_product_of_the_group_refunds_the_difference(self, api, seller, tour):
        product, booked, _, _ = tour
        product.exchange_group = "tours"
        product.save(update_fields=["exchange_group"])
        short = make_product(seller, sku="short-tour", price=1500,
                             kind=ProductKind.TIMED_ENTRY, exchange_group="tours")
        slot = make_slot(short, starts_in=timedelta(days=10))
        order = make_order(seller, product, slot=booked, quantity=1, paid=True)
        body = post(api, url(order), {"entry": order.entries.get().number,
                                      "time_slot": slot.pk}).json()
        assert (body["status"], body["difference"]) == ("completed", -1000)
        refund = Refund.objects.get(number=body["refund"])
        assert refund.amount == 1000

    def test_a_dearer_product_of_the_group_waits_for_the_payment(self, api, seller, tour):
        product, booked, _, _ = tour
        product.exchange_group = "tours"
        product.save(update_fields=["exchange_group"])
        long = make_product(seller, sku="long-tour", price=4000,
                            kind=ProductKind.TIMED_ENTRY, exchange_group="tours")
        slot = make_slot(long, starts_in=timedelta(days=10))
        order = make_order(seller, product, slot=booked, quantity=1, paid=True)
        old = order.entries.get()
        body = post(api, url(order), {"entry": old.number, "time_slot": slot.pk}).json()
        assert (body["status"], body["difference"]) == ("awaiting_payment", 1500)
        assert body["reference"].startswith("XCH-") and body["expires_at"]
        assert body["payment_link"] == ""  # manual payments: a transfer with the reference
        old.refresh_from_db()
        assert old.status == EntryStatus.VALID  # until the difference is paid
        assert Entry.objects.get(number=body["new_entry"]).status == EntryStatus.PENDING

    def test_the_customer_is_bound_by_the_deadline(self, api, seller):
        product = make_product(seller, kind=ProductKind.TIMED_ENTRY, price=2500,
                               exchange_until_hours_before=48)
        soon = make_slot(product, starts_in=timedelta(hours=24))
        later = make_slot(product, starts_in=timedelta(days=5))
        order = make_order(seller, product, slot=soon, quantity=1, paid=True)
        number = order.entries.get().number
        body = assert_error(post(api, url(order), {"entry": number, "time_slot": later.pk,
                                                   "by": "customer"}), 422, "not_exchangeable")
        assert "48 hours before" in body["message"]
        r = post(api, url(order), {"entry": number, "time_slot": later.pk, "by": "seller"})
        assert r.status_code == 201 and r.json()["status"] == "completed"

    def test_an_entry_exchanged_already_is_422(self, api, paid, entry, tour):
        post(api, url(paid), {"entry": entry.number, "time_slot": tour[2].pk})
        body = assert_error(post(api, url(paid), {"entry": entry.number,
                                                  "time_slot": tour[2].pk}), 422,
                            "not_exchangeable")
        assert "no longer valid" in body["message"]
        assert Exchange.objects.count() == 1

    def test_an_unpaid_order_cannot_exchange(self, api, seller, tour):
        product, booked, free, _ = tour
        order = make_order(seller, product, slot=booked, quantity=1)
        body = assert_error(post(api, url(order), {"entry": order.entries.get().number,
                                                   "time_slot": free.pk}), 422,
                            "not_exchangeable")
        assert "not paid" in body["message"]

    @pytest.mark.parametrize("body, field", [
        ({"time_slot": 1}, "entry"), ({"entry": "TID-X"}, "time_slot"),
        ({"entry": "TID-X", "time_slot": 0}, "time_slot"),
        ({"entry": "TID-X", "time_slot": 2**63}, "time_slot"),
        ({"entry": "TID-X", "time_slot": 1, "by": "agent"}, "by"),
        ({"entry": "TID\nX", "time_slot": 1}, "entry"),
    ])
    def test_invalid_bodies_are_422(self, api, paid, body, field):
        assert_error(post(api, url(paid), body), 422, "invalid", field)

    def test_not_json_is_400(self, api, paid):
        assert_error(post(api, url(paid), "nope"), 400, "malformed")

    def test_unknown_entry_slot_and_order_are_404(self, api, paid, entry, tour):
        assert_error(post(api, url(paid), {"entry": "TID-NOPE", "time_slot": tour[2].pk}),
                     404, "entry_not_found")
        assert_error(post(api, url(paid), {"entry": entry.number, "time_slot": 2**62}), 404,
                     "time_slot_not_found")
        assert_error(post(api, "/api/v1/orders/PID-00000000/exchanges",
                          {"entry": entry.number, "time_slot": tour[2].pk}), 404,
                     "order_not_found")


class TestTenancyScopesIdempotency:
    def test_another_sellers_order_is_404_and_untouched(self, other_api, paid, entry, tour):
        body = assert_error(post(other_api, url(paid), {"entry": entry.number,
                                                        "time_slot": tour[2].pk}), 404,
                            "order_not_found")
        assert body["message"] == f"No order {paid.number} for this seller."
        assert_error(quote(other_api, paid, entry, tour[2]), 404, "order_not_found")
        assert not Exchange.objects.exists()

    def test_another_sellers_slot_cannot_be_booked(self, api, paid, entry, other_seller):
        theirs = make_slot(make_product(other_seller, kind=ProductKind.TIMED_ENTRY))
        assert_error(post(api, url(paid), {"entry": entry.number, "time_slot": theirs.pk}),
                     404, "time_slot_not_found")

    def test_exchanging_needs_exchanges_write(self, seller, paid, entry, tour):
        client = client_for(seller, ["orders:read", "orders:write", "refunds:write"])
        body = assert_error(post(client, url(paid), {"entry": entry.number,
                                                     "time_slot": tour[2].pk}), 403,
                            "missing_scope")
        assert "exchanges:write" in body["message"]
        assert_error(quote(client, paid, entry, tour[2]), 403, "missing_scope")
        allowed = client_for(seller, ["exchanges:write"])
        assert quote(allowed, paid, entry, tour[2]).status_code == 200
        r = post(allowed, url(paid), {"entry": entry.number, "time_slot": tour[2].pk})
        assert r.status_code == 201

    def test_the_same_key_twice_gives_one_exchange_and_the_same_answer(self, api, paid,
                                                                      entry, tour):
        body = {"entry": entry.number, "time_slot": tour[2].pk}
        first = post(api, url(paid), body, **KEY)
        second = post(api, url(paid), body, **KEY)
        assert first.status_code == second.status_code == 201
        assert second.content == first.content
        assert Exchange.objects.count() == 1
        assert Exchange.objects.get().status == ExchangeStatus.COMPLETED

    def test_the_same_key_with_another_body_is_422(self, api, paid, entry, tour):
        other = paid.entries.exclude(pk=entry.pk).get()
        post(api, url(paid), {"entry": entry.number, "time_slot": tour[2].pk}, **KEY)
        assert_error(post(api, url(paid), {"entry": other.number, "time_slot": tour[2].pk},
                          **KEY), 422, "idempotency_key_reused", "Idempotency-Key")
        assert Exchange.objects.count() == 1
