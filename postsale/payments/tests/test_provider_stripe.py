"""The Stripe provider against signed payloads and a local fake Stripe API over HTTP."""

import json
import time

import pytest

from postsale.payments.providers.base import (
    InvalidNotification,
    ProviderRejected,
    ProviderUnavailable,
)
from postsale.payments.providers.stripe import StripeProvider
from postsale.payments.tests.fakes import (
    STRIPE_WEBHOOK_SECRET,
    FakeStripe,
    payment_intent,
    stripe_event,
    stripe_signature,
)

stripe = StripeProvider()
CONFIG = {"secret_key": "sk_test_x", "webhook_secret": STRIPE_WEBHOOK_SECRET}


@pytest.fixture
def server():
    with FakeStripe() as fake:
        yield fake


def parse(payload: bytes, signature: str | None = None, config=CONFIG):
    headers = {"Stripe-Signature": stripe_signature(payload) if signature is None
               else signature}
    return stripe.parse_notification(body=payload, headers=headers, config=config)


@pytest.mark.parametrize(("kind", "status"), [
    ("payment_intent.succeeded", "confirmed"),
    ("payment_intent.processing", "pending"),
    ("payment_intent.payment_failed", "failed"),
    ("payment_intent.canceled", "failed"),
])
def test_payment_intent_events_map_to_payment_statuses(kind, status):
    pi = payment_intent(4000, order_number="PID-ABC")
    payload = stripe_event(kind, pi, event_id="evt_1", created=1_700_000_000)
    [event] = parse(payload)
    assert (event.order_number, event.transaction_id, event.status, event.event_id) == (
        "PID-ABC", pi["id"], status, "evt_1")
    assert (event.amount, event.currency) == (4000, "PLN")
    assert event.occurred_at.timestamp() == 1_700_000_000


def test_a_paid_checkout_session_confirms_its_payment_intent():
    session = {"id": "cs_1", "object": "checkout.session", "payment_intent": "pi_9",
               "payment_status": "paid", "amount_total": 2500, "currency": "eur",
               "metadata": {"order_number": "PID-X", "reference": "XCH-1"}}
    [event] = parse(stripe_event("checkout.session.completed", session))
    assert (event.transaction_id, event.status, event.amount, event.currency) == (
        "pi_9", "confirmed", 2500, "EUR")
    assert event.raw["reference"] == "XCH-1"
    unpaid = session | {"payment_status": "unpaid"}
    assert parse(stripe_event("checkout.session.completed", unpaid))[0].status == "pending"
    free = session | {"payment_status": "no_payment_required"}
    assert parse(stripe_event("checkout.session.completed", free)) == []


def test_only_a_full_refund_in_stripe_is_reported_as_refunded():
    charge = payment_intent(4000, order_number="PID-X")["latest_charge"]
    assert parse(stripe_event("charge.refunded", charge | {"amount_refunded": 1000})) == []
    [event] = parse(stripe_event("charge.refunded", charge | {"amount_refunded": 4000,
                                                              "refunded": True}))
    assert (event.status, event.transaction_id, event.amount) == (
        "refunded", charge["payment_intent"], 4000)


def test_other_event_types_are_acknowledged_and_ignored():
    assert parse(stripe_event("customer.created", {"id": "cus_1"})) == []


@pytest.mark.parametrize("signature", [
    "",  # missing
    "t=1,v1=deadbeef",  # wrong
    "garbage",
    "t=notanumber,v1=abc",
    "t=1700000000,v1=é",  # not ASCII
    stripe_signature(b"{}", secret="whsec_other"),  # another endpoint's secret
], ids=["missing", "wrong", "garbage", "bad-timestamp", "not-ascii", "other-secret"])
def test_a_wrong_or_missing_signature_is_invalid(signature):
    payload = stripe_event("payment_intent.succeeded", payment_intent(100, order_number="P"))
    with pytest.raises(InvalidNotification):
        parse(payload, signature)


def test_a_signature_older_than_the_tolerance_is_invalid():
    payload = stripe_event("payment_intent.succeeded", payment_intent(100, order_number="P"))
    with pytest.raises(InvalidNotification, match="tolerance"):
        parse(payload, stripe_signature(payload, timestamp=int(time.time()) - 301))
    assert parse(payload, stripe_signature(payload, timestamp=int(time.time()) - 250))


def test_a_tampered_body_is_invalid():
    payload = stripe_event("payment_intent.succeeded", payment_intent(100, order_number="P"))
    signature = stripe_signature(payload)
    with pytest.raises(InvalidNotification):
        parse(payload.replace(b'"amount": 100', b'"amount": 1'), signature)


@pytest.mark.parametrize("payload", [
    b"not json", b"\xff\xfe", b"[]", b"{}", json.dumps({"type": "payment_intent.succeeded",
                                                        "data": {}}).encode(),
    stripe_event("payment_intent.succeeded", {"id": "pi_1", "amount": "lots"}),
], ids=["not-json", "not-utf8", "list", "empty", "no-object", "amount-text"])
def test_a_correctly_signed_body_in_another_shape_is_invalid(payload):
    with pytest.raises(InvalidNotification):
        parse(payload)


def test_no_webhook_secret_configured_means_nothing_verifies():
    payload = stripe_event("payment_intent.succeeded", payment_intent(1, order_number="P"))
    with pytest.raises(InvalidNotification, match="secret"):
        parse(payload, config={"secret_key": "sk"})


def test_a_refund_goes_through_the_refunds_api_with_the_idempotency_key(server):
    pi = server.add_intent(4000)
    result = stripe.refund(transaction_id=pi, amount=1500, currency="PLN",
                           idempotency_key="RFD-1-1", config=server.config())
    [refund] = server.refunds
    assert (result.provider_refund_id, result.status) == (refund["id"], "succeeded")
    assert (refund["payment_intent"], refund["amount"]) == (pi, 1500)
    assert refund["metadata"] == {"postsale_refund": "RFD-1-1"}


def test_the_same_idempotency_key_never_refunds_twice(server):
    pi = server.add_intent(4000)
    first = stripe.refund(transaction_id=pi, amount=4000, currency="PLN",
                          idempotency_key="RFD-1-1", config=server.config())
    again = stripe.refund(transaction_id=pi, amount=4000, currency="PLN",
                          idempotency_key="RFD-1-1", config=server.config())
    assert first == again and len(server.refunds) == 1


def test_a_retry_after_stripe_forgot_the_key_finds_the_refund_made_before(server):
    pi = server.add_intent(4000)
    server.mode = "hang_after"  # refunded, but the answer is lost
    with pytest.raises(ProviderUnavailable):
        stripe.refund(transaction_id=pi, amount=1000, currency="PLN", idempotency_key="K",
                      config=server.config())
    server.mode = "ok"
    server.forget_idempotency_keys()  # the agent retries days later
    result = stripe.refund(transaction_id=pi, amount=1000, currency="PLN",
                           idempotency_key="K", config=server.config())
    assert len(server.refunds) == 1 and result.provider_refund_id == server.refunds[0]["id"]


@pytest.mark.parametrize("mode", ["error", "hang", "hang_after", "stopped"])
def test_an_outage_is_unavailable_so_the_worker_retries(server, mode):
    pi = server.add_intent(4000)
    if mode == "stopped":
        server.stop()
    else:
        server.mode = mode
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        stripe.refund(transaction_id=pi, amount=4000, currency="PLN", idempotency_key="K",
                      config=server.config())
    assert time.monotonic() - started < 3  # the client's timeout, not the server's hang


def test_a_rate_limit_is_unavailable(server, monkeypatch):
    monkeypatch.setattr(server, "handle", lambda *a: (429, "application/json",
                                                      b'{"error": {"message": "slow"}}'))
    with pytest.raises(ProviderUnavailable):
        stripe.refund(transaction_id="pi_1", amount=1, currency="PLN", idempotency_key="K",
                      config=server.config())


def test_a_refused_refund_is_rejected_for_good(server):
    pi = server.add_intent(4000)
    with pytest.raises(ProviderRejected, match="greater than"):
        stripe.refund(transaction_id=pi, amount=5000, currency="PLN", idempotency_key="A",
                      config=server.config())
    with pytest.raises(ProviderRejected, match="No such"):
        stripe.refund(transaction_id="pi_unknown", amount=1, currency="PLN",
                      idempotency_key="B", config=server.config())
    with pytest.raises(ProviderRejected):
        stripe.refund(transaction_id=pi, amount=1, currency="PLN", idempotency_key="C",
                      config=server.config(secret_key="sk_test_wrong"))
    with pytest.raises(ProviderRejected, match="secret key"):
        stripe.refund(transaction_id=pi, amount=1, currency="PLN", idempotency_key="D",
                      config={"api_base": server.url})
    assert server.refunds == []


def test_lookup_reads_the_payment_intent_and_its_refunds(server):
    pi = server.add_intent(4000)
    found = stripe.lookup(transaction_id=pi, config=server.config())
    assert (found.status, found.amount, found.currency, found.refunded_amount) == (
        "confirmed", 4000, "PLN", 0)
    stripe.refund(transaction_id=pi, amount=4000, currency="PLN", idempotency_key="K",
                  config=server.config())
    found = stripe.lookup(transaction_id=pi, config=server.config())
    assert (found.status, found.refunded_amount) == ("refunded", 4000)
    waiting = server.add_intent(100, status="requires_payment_method")
    assert stripe.lookup(transaction_id=waiting, config=server.config()).status == "pending"


def test_a_payment_link_is_a_checkout_session_carrying_the_order_number(server):
    url = stripe.payment_link(order_number="PID-A", reference="XCH-1", amount=1200,
                              currency="PLN", description="Price difference",
                              config=server.config(success_url="https://shop.example/ok"))
    [session] = server.sessions
    assert url == session["url"]
    params = session["params"]
    assert params["metadata[order_number]"] == "PID-A"
    assert params["payment_intent_data[metadata][order_number]"] == "PID-A"
    assert params["metadata[reference]"] == "XCH-1"
    assert params["line_items[0][price_data][unit_amount]"] == "1200"
    assert params["line_items[0][price_data][currency]"] == "pln"
    assert params["success_url"] == "https://shop.example/ok"
