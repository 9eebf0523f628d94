"""POST /api/v1/payments/events: payments move orders to paid, exactly once."""

import pytest
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postsale.api.tests.conftest import EVENTS, assert_error, json_values, post, row_counts
from postsale.orders.models import Order
from postsale.payments.models import Payment, PaymentEvent


@pytest.fixture
def order(create_order):
    """An order of 2 × 40.00 PLN awaiting payment."""
    return create_order()


@pytest.fixture
def report(api, order, django_capture_on_commit_callbacks):
    """POST a payment event for `order`; e-mails queued on commit are delivered."""
    def send(**fields):
        body = {"order": order["number"], "provider": "przelewy", "transaction_id": "TX-1",
                "status": "confirmed", **fields}
        with django_capture_on_commit_callbacks(execute=True):
            return post(api, EVENTS, body)
    return send


def subjects() -> list[str]:
    return sorted(m.subject.split(" for order")[0] for m in mail.outbox)


def test_pending_then_confirmed_makes_the_order_paid_and_delivers_it(report, order):
    r = report(status="pending")
    assert r.status_code == 200, r.content
    assert r.json()["applied"] is True
    assert r.json()["payment"]["status"] == "pending"
    assert r.json()["order"]["status"] == "awaiting_payment"
    assert not mail.outbox

    r = report(status="confirmed")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["applied"] is True
    assert body["payment"] | {"created_at": None, "confirmed_at": None} == {
        "provider": "przelewy", "transaction_id": "TX-1", "amount": 8000, "currency": "PLN",
        "status": "confirmed", "created_at": None, "confirmed_at": None}
    assert body["payment"]["confirmed_at"]
    assert body["order"]["status"] == "paid" and body["order"]["paid_at"]
    assert {e["status"] for e in body["order"]["entries"]} == {"valid"}
    stored = Order.objects.get(number=order["number"])
    assert stored.status == "paid"
    assert set(stored.entries.values_list("status", flat=True)) == {"valid"}
    assert subjects() == ["Receipt", "Your entries"]
    assert {m.to[0] for m in mail.outbox} == {"jan.nowak@example.com"}


def test_the_same_event_twice_changes_nothing_the_second_time(report, order):
    first = report()
    before = row_counts()
    second = report()
    assert first.json()["applied"] is True
    assert second.status_code == 200
    assert second.json()["applied"] is False
    assert second.json()["order"]["status"] == "paid"
    assert row_counts() == before
    assert subjects() == ["Receipt", "Your entries"]  # one of each


def test_the_same_event_id_twice_is_applied_once(report):
    assert report(event_id="ev-1", status="pending").json()["applied"] is True
    repeat = report(event_id="ev-1", status="pending")
    assert repeat.json()["applied"] is False
    assert PaymentEvent.objects.count() == 1


def test_an_event_for_an_unknown_order_is_404(api, seller):
    before = row_counts()
    r = post(api, EVENTS, {"order": "PID-00000000", "provider": "manual",
                           "transaction_id": "T", "status": "confirmed"})
    assert_error(r, 404, "order_not_found")
    assert row_counts() == before


def test_a_payment_in_another_currency_is_422(report, order):
    before = row_counts()
    assert_error(report(currency="EUR"), 422, field="currency")
    assert row_counts() == before
    assert Order.objects.get(number=order["number"]).status == "awaiting_payment"


def test_a_known_payment_reported_in_another_currency_is_422(report, order):
    report(status="pending")
    assert_error(report(status="confirmed", currency="EUR"), 422, field="currency")
    assert Payment.objects.get().status == "pending"
    assert Order.objects.get(number=order["number"]).status == "awaiting_payment"


def test_a_known_payment_reported_with_another_amount_is_409(report, order):
    report(status="pending", amount=8000)
    assert_error(report(status="confirmed", amount=100), 409, "payment_amount_mismatch")
    assert Order.objects.get(number=order["number"]).status == "awaiting_payment"


def test_a_confirmed_payment_smaller_than_the_total_leaves_the_order_awaiting_payment(
        report, order):
    r = report(amount=3000)
    assert r.json()["applied"] is True
    assert r.json()["order"]["status"] == "awaiting_payment"
    assert {e["status"] for e in r.json()["order"]["entries"]} == {"pending"}
    assert not mail.outbox


def test_two_partial_payments_that_cover_the_total_make_the_order_paid(report, order):
    assert report(transaction_id="TX-A", amount=3000).json()["order"]["status"] == (
        "awaiting_payment")
    r = report(transaction_id="TX-B", amount=5000)
    assert r.json()["order"]["status"] == "paid"
    assert [p["amount"] for p in r.json()["order"]["payments"]] == [3000, 5000]
    assert subjects() == ["Receipt", "Your entries"]


def test_a_failed_payment_can_be_confirmed_later(report, order):
    assert report(status="failed").json()["order"]["status"] == "awaiting_payment"
    assert report(status="confirmed").json()["order"]["status"] == "paid"


def test_a_late_pending_report_does_not_undo_a_confirmation(report, order):
    report(status="confirmed")
    r = report(status="pending")
    assert r.json()["applied"] is False
    assert r.json()["payment"]["status"] == "confirmed"


def test_a_transaction_of_another_order_is_409(report, create_order, api):
    report()
    other = create_order(customer={"email": "ola@example.com"})
    r = post(api, EVENTS, {"order": other["number"], "provider": "przelewy",
                           "transaction_id": "TX-1", "status": "confirmed"})
    assert_error(r, 409, "transaction_belongs_to_other_order")
    assert Order.objects.get(number=other["number"]).status == "awaiting_payment"


@pytest.mark.parametrize("changes, field", [
    ({"status": "refunded"}, "status"),
    ({"status": None}, "status"),
    ({"amount": -1}, "amount"),
    ({"amount": 10**13}, "amount"),
    ({"currency": "pln"}, "currency"),
    ({"order": "PID-\x00"}, "order"),
    ({"order": "x" * 17}, "order"),
    ({"transaction_id": ""}, "transaction_id"),
    ({"provider": ["manual"]}, "provider"),
    ({"occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
    ({"occurred_at": "soon"}, "occurred_at"),
])
def test_invalid_events_are_422_and_write_nothing(report, order, changes, field):
    before = row_counts()
    assert_error(report(**changes), 422, field=field)
    assert row_counts() == before


def test_malformed_and_oversized_events(api, order):
    assert_error(post(api, EVENTS, "{"), 400, "malformed")
    assert_error(post(api, EVENTS, "[]"), 422, field="body")
    assert_error(post(api, EVENTS, '{"order": "' + "x" * (2 * 1024 * 1024) + '"}'), 413,
                 "too_large")


events = st.fixed_dictionaries({}, optional={
    "order": st.just("ORDER") | json_values,
    "provider": st.sampled_from(["manual", "przelewy"]) | json_values,
    "transaction_id": st.sampled_from(["TX-1", "TX-2"]) | json_values,
    "status": st.sampled_from(["pending", "confirmed", "failed"]) | json_values,
    "amount": st.integers(-1, 10**13) | json_values,
    "currency": st.sampled_from(["PLN", "EUR"]) | json_values,
    "event_id": st.text(max_size=5) | json_values,
    "occurred_at": st.datetimes().map(str) | st.text(max_size=25) | json_values,
})


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=events)
def test_no_event_is_a_server_error(api, order, body):
    if body.get("order") == "ORDER":
        body["order"] = order["number"]
    r = post(api, EVENTS, body)
    assert r.status_code in (200, 404, 409, 422), (body, r.content)
    if r.status_code >= 400:
        assert set(r.json()) == {"code", "message", "fields"}
