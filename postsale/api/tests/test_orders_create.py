"""POST /api/v1/orders: what a valid order creates, and that bad input is a 4xx with
field-level messages that writes nothing."""

import json

import pytest
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postsale.api.tests.conftest import (
    DROP,
    ORDERS,
    assert_error,
    json_values,
    order_body,
    post,
    row_counts,
)
from postsale.orders.models import Customer, Order, ProductKind
from postsale.orders.tests.factories import make_product, make_slot


def test_valid_order_is_created_awaiting_payment_with_pending_entries(api, product):
    r = post(api, ORDERS, order_body(external_id="shop-1", answers={"Company": "ACME"}))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"].startswith("PID-")
    assert body["status"] == "awaiting_payment"
    assert (body["channel"], body["external_id"], body["currency"]) == ("web-shop", "shop-1",
                                                                          "PLN")
    assert body["total"] == 8000
    assert body["lines"] == [{"product": "museum-open", "name": "Museum-Open", "quantity": 2,
                              "unit_price": 4000, "total": 8000, "time_slot": None}]
    assert [e["status"] for e in body["entries"]] == ["pending", "pending"]
    assert body["customer"]["phone"] == "+48601234567"  # normalized to E.164
    assert body["answers"] == {"Company": "ACME"}
    assert body["payments"] == [] and body["paid_at"] is None
    assert Order.objects.get(number=body["number"]).customer.email == "jan.nowak@example.com"
    assert not mail.outbox  # nothing is delivered before the payment is confirmed


def test_timed_entry_takes_places_in_its_time_slot(api, product, timed):
    _, slot = timed
    r = post(api, ORDERS, order_body(lines=[{"product": "tour", "quantity": 3,
                                             "time_slot": slot.pk}]))
    assert r.status_code == 201, r.content
    assert [e["time_slot"]["id"] for e in r.json()["entries"]] == [slot.pk] * 3
    assert r.json()["lines"][0]["time_slot"]["id"] == slot.pk


def test_order_with_a_confirmed_payment_is_paid_and_delivered(
        api, product, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = post(api, ORDERS, order_body(payment={"provider": "box-office",
                                                  "transaction_id": "R-1"}))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "paid"
    assert {e["status"] for e in body["entries"]} == {"valid"}
    assert body["payments"][0]["amount"] == 8000
    assert len(mail.outbox) == 2


def test_returning_customer_is_reused_and_unicode_names_are_kept(api, product):
    first = post(api, ORDERS, order_body(customer={"email": "Zofia@Example.com",
                                                   "first_name": "Zofia Żółć 🎟"}))
    second = post(api, ORDERS, order_body(customer={"email": "Zofia@example.com"}))
    assert first.status_code == second.status_code == 201
    assert Customer.objects.count() == 1
    assert second.json()["customer"]["first_name"] == "Zofia Żółć 🎟"


def test_likely_email_typo_is_accepted_with_a_warning(api, product):
    r = post(api, ORDERS, order_body(customer={"email": "jan@gmial.com"}))
    assert r.status_code == 201
    [warning] = r.json()["warnings"]
    assert warning["field"] == "customer.email" and warning["code"] == "email_typo"
    assert warning["suggestion"] == "jan@gmail.com" and "jan@gmial.com" in warning["message"]
    assert post(api, ORDERS, order_body(external_id="clean")).json()["warnings"] == []


def _lines(**line):
    return {"lines": [{"product": "museum-open", "quantity": 1, **line}]}


# (changes to the valid body, expected field path). Every case must answer 422 and write
# nothing.
INVALID = {
    "unknown product": (_lines(product="no-such-thing"), "lines[0].product"),
    "negative quantity": (_lines(quantity=-1), "lines[0].quantity"),
    "zero quantity": (_lines(quantity=0), "lines[0].quantity"),
    "quantity above 100": (_lines(quantity=101), "lines[0].quantity"),
    "huge quantity": (_lines(quantity=10**40), "lines[0].quantity"),
    "fractional quantity": (_lines(quantity=1.5), "lines[0].quantity"),
    "quantity as words": (_lines(quantity="two"), "lines[0].quantity"),
    "quantity null": (_lines(quantity=None), "lines[0].quantity"),
    "currency mismatch": ({"currency": "EUR"}, "lines[0].product"),
    "unknown currency": ({"currency": "XYZ"}, "currency"),
    "lowercase currency": ({"currency": "pln"}, "currency"),
    "currency as number": ({"currency": 985}, "currency"),
    "invalid email": ({"customer": {"email": "jan.nowak.example.com"}}, "customer.email"),
    "email with spaces": ({"customer": {"email": "jan nowak@example.com"}}, "customer.email"),
    "invalid phone": ({"customer": {"email": "a@example.com", "phone": "call me"}},
                      "customer.phone"),
    "phone with too few digits": ({"customer": {"email": "a@example.com", "phone": "12"}},
                                  "customer.phone"),
    "unknown language": ({"customer": {"email": "a@example.com", "language": "xx"}},
                         "customer.language"),
    "missing customer": ({"customer": DROP}, "customer"),
    "missing e-mail": ({"customer": {"first_name": "Jan"}}, "customer.email"),
    "missing channel": ({"channel": DROP}, "channel"),
    "missing lines": ({"lines": DROP}, "lines"),
    "missing product": ({"lines": [{"quantity": 1}]}, "lines[0].product"),
    "no lines": ({"lines": []}, "lines"),
    "1000 lines": ({"lines": [{"product": "museum-open", "quantity": 1}] * 1000}, "lines"),
    "10,000-character name": ({"customer": {"email": "a@example.com",
                                            "first_name": "x" * 10_000}},
                              "customer.first_name"),
    "long external id": ({"external_id": "x" * 101}, "external_id"),
    "customer null": ({"customer": None}, "customer"),
    "customer is a list": ({"customer": [{"email": "a@example.com"}]}, "customer"),
    "customer is a string": ({"customer": "jan@example.com"}, "customer"),
    "lines is an object": ({"lines": {"product": "museum-open", "quantity": 1}}, "lines"),
    "line null": ({"lines": [None]}, "lines[0]"),
    "channel is a number": ({"channel": 7}, "channel"),
    "answers is a list": ({"answers": ["x"]}, "answers"),
    "answers not text": ({"answers": {"q": {"nested": 1}}}, "answers.q"),
    "21 answers": ({"answers": {f"q{i}": "a" for i in range(21)}}, "answers"),
    "answer too long": ({"answers": {"q": "a" * 501}}, "answers"),
    "NUL in a name": ({"customer": {"email": "a@example.com", "last_name": "No\x00wak"}},
                      "customer.last_name"),
    "NUL in an answer": ({"answers": {"q": "a\x00"}}, "answers"),
    "NUL in the channel": ({"channel": "web\x00shop"}, "channel"),
    "line break in a product code": (_lines(product="museum\nopen"), "lines[0].product"),
    "huge time slot id": (_lines(time_slot=10**30), "lines[0].time_slot"),
    "negative time slot id": (_lines(time_slot=-1), "lines[0].time_slot"),
    "huge unit price": (_lines(unit_price=10**12), "lines[0].unit_price"),
    "negative unit price": (_lines(unit_price=-100), "lines[0].unit_price"),
    "time slot on an open entry": (_lines(time_slot=1), "lines[0].time_slot"),
    "unknown payment status": ({"payment": {"provider": "m", "transaction_id": "t",
                                            "status": "refunded"}}, "payment.status"),
    "payment without transaction": ({"payment": {"provider": "m"}},
                                    "payment.transaction_id"),
}


@pytest.mark.parametrize("changes, field", INVALID.values(), ids=INVALID.keys())
def test_invalid_order_is_refused_field_by_field_and_writes_nothing(api, product, changes,
                                                                    field):
    before = row_counts()
    r = post(api, ORDERS, order_body(**changes))
    assert_error(r, 422, field=field)
    assert row_counts() == before


def test_unknown_channel_is_refused(api, product):
    before = row_counts()
    assert_error(post(api, ORDERS, order_body(channel="kiosk")), 422, "unknown_channel",
                 "channel")
    assert row_counts() == before


def test_inactive_product_is_not_on_sale(api, seller):
    make_product(seller, sku="museum-open", active=False)
    assert_error(post(api, ORDERS, order_body()), 422, field="lines[0].product")


def test_every_problem_is_reported_at_once(api, product):
    r = post(api, ORDERS, order_body(
        currency="XYZ", customer={"email": "nope", "phone": "x"},
        lines=[{"product": "museum-open", "quantity": 1}, {"product": "ghost", "quantity": 1}]))
    fields = assert_error(r, 422)["fields"]
    assert {"currency", "customer.email", "customer.phone", "lines[1].product"} <= set(fields)


class TestTimeSlots:
    def test_timed_product_without_a_slot_is_refused(self, api, timed):
        r = post(api, ORDERS, order_body(lines=[{"product": "tour", "quantity": 1}]))
        assert_error(r, 422, field="lines[0].time_slot")

    def test_slot_of_another_product_is_refused(self, api, seller, timed):
        other = make_product(seller, sku="night-tour", kind=ProductKind.TIMED_ENTRY)
        foreign = make_slot(other)
        before = row_counts()
        r = post(api, ORDERS, order_body(lines=[{"product": "tour", "quantity": 1,
                                                 "time_slot": foreign.pk}]))
        assert_error(r, 422, field="lines[0].time_slot")
        assert row_counts() == before

    def test_full_slot_is_refused_and_says_how_many_places_are_left(self, api, timed):
        _, slot = timed  # capacity 5
        line = {"product": "tour", "time_slot": slot.pk}
        assert post(api, ORDERS, order_body(lines=[{**line, "quantity": 4}])).status_code == 201
        before = row_counts()
        body = assert_error(post(api, ORDERS, order_body(lines=[{**line, "quantity": 2}])), 422,
                            field="lines[0].quantity")
        assert "1" in body["fields"]["lines[0].quantity"]
        assert row_counts() == before
        assert post(api, ORDERS, order_body(lines=[{**line, "quantity": 1}])).status_code == 201

    def test_two_lines_of_one_slot_count_together(self, api, timed):
        _, slot = timed
        line = {"product": "tour", "time_slot": slot.pk, "quantity": 3}
        r = post(api, ORDERS, order_body(lines=[line, line]))
        assert_error(r, 422, field="lines[1].quantity")


class TestMalformedRequests:
    def test_malformed_json_is_400(self, api, product):
        before = row_counts()
        assert_error(post(api, ORDERS, '{"channel": "web-shop", '), 400, "malformed")
        assert row_counts() == before

    @pytest.mark.parametrize("raw", ["", "[]", "null", '"order"', "42", "[1, 2]"])
    def test_a_body_that_is_not_an_object_is_422(self, api, product, raw):
        body = assert_error(post(api, ORDERS, raw), 422, field="body")
        assert body["fields"]["body"] == "Send a JSON object."

    def test_five_megabyte_body_is_413(self, api, product):
        before = row_counts()
        huge = json.dumps(order_body(answers={"q": "x" * (5 * 1024 * 1024)}))
        assert_error(post(api, ORDERS, huge), 413, "too_large")
        assert row_counts() == before

    def test_lone_surrogate_is_refused(self, api, product):
        raw = json.dumps(order_body()).replace('"Jan"', '"\\ud800"')
        assert_error(post(api, ORDERS, raw), 422, field="customer.first_name")

    def test_huge_integer_literal_is_not_a_server_error(self, api, product):
        raw = json.dumps(order_body()).replace('"quantity": 2', '"quantity": ' + "9" * 5000)
        assert post(api, ORDERS, raw).status_code in (400, 422)

    def test_deeply_nested_json_is_not_a_server_error(self, api, product):
        nested = "[" * 100_000 + "]" * 100_000
        raw = json.dumps(order_body())[:-1] + f', "answers": {nested}}}'
        assert post(api, ORDERS, raw).status_code in (400, 422)


# Anything JSON can say, at any field: never a server error.
line_values = st.fixed_dictionaries({}, optional={
    "product": st.sampled_from(["museum-open", "tour"]) | json_values,
    "quantity": st.integers(-5, 105) | json_values,
    "time_slot": st.integers(-2, 10**20) | json_values,
    "unit_price": st.integers(-5, 2**40) | json_values})
bodies = st.fixed_dictionaries({}, optional={
    "channel": st.sampled_from(["web-shop", "box-office"]) | json_values,
    "currency": st.sampled_from(["PLN", "EUR"]) | json_values,
    "external_id": st.text(max_size=5) | json_values,
    "customer": st.fixed_dictionaries({}, optional={
        "email": st.emails() | json_values, "first_name": json_values,
        "phone": st.sampled_from(["+48601234567", "601 234 567"]) | json_values,
        "language": st.sampled_from(["pl", "en"]) | json_values}) | json_values,
    "lines": st.lists(line_values, max_size=3) | json_values,
    "answers": st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3)
    | json_values,
    "payment": st.fixed_dictionaries({"provider": st.text(max_size=5),
                                      "transaction_id": st.text(max_size=5)}) | json_values,
})


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies)
def test_no_input_is_a_server_error(api, product, timed, body):
    r = post(api, ORDERS, body)
    assert r.status_code in (200, 201, 409, 422), (body, r.content)
    if r.status_code >= 400:
        assert set(r.json()) == {"code", "message", "fields"}
