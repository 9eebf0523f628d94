"""`POST /hooks/payments/<provider>/<seller>` over HTTP with real signatures: verified,
kept, applied once; anything else refused without a change and never a 500."""

import json
import logging
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postsale.core.audit import SYSTEM
from postsale.core.errors import DomainError
from postsale.core.models import AuditEvent
from postsale.notifications.models import Notification
from postsale.orders.models import EntryStatus, OrderStatus
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.models import (
    Payment,
    PaymentEvent,
    PaymentFlag,
    PaymentStatus,
    ProviderAccount,
    ProviderNotification,
    Refund,
    RefundStatus,
)
from postsale.payments.refunds import refund_process, refund_request
from postsale.payments.rules import RequestedBy
from postsale.payments.tests.fakes import (
    AUTOPAY_KEY,
    AUTOPAY_SERVICE_ID,
    STRIPE_WEBHOOK_SECRET,
    FakeStripe,
    autopay_hash,
    autopay_itn,
    autopay_transaction,
    payment_intent,
    stripe_event,
    stripe_signature,
)

FORM = "application/x-www-form-urlencoded"
STRIPE_CONFIG = {"secret_key": "sk_test_fake", "webhook_secret": STRIPE_WEBHOOK_SECRET}
AUTOPAY_CONFIG = {"service_id": AUTOPAY_SERVICE_ID, "shared_key": AUTOPAY_KEY}


@pytest.fixture
def accounts(seller, other_seller):
    for owner in (seller, other_seller):
        ProviderAccount.objects.create(seller=owner, provider="stripe", config=STRIPE_CONFIG)
        ProviderAccount.objects.create(seller=owner, provider="autopay",
                                       config=AUTOPAY_CONFIG)


@pytest.fixture
def order(seller, accounts):
    return make_order(seller, make_product(seller, price=4000), quantity=2)  # 80.00 PLN


def send_stripe(seller, payload: bytes, signature: str | None = None):
    signature = stripe_signature(payload) if signature is None else signature
    return Client().post(f"/hooks/payments/stripe/{seller.slug}", payload,
                         content_type="application/json",
                         headers={"Stripe-Signature": signature})


def send_autopay(seller, body: bytes):
    return Client().post(f"/hooks/payments/autopay/{seller.slug}", body, content_type=FORM)


def succeeded(order, pi: dict | None = None, **changes) -> tuple[dict, bytes]:
    pi = pi or payment_intent(order.total, order_number=order.number)
    return pi, stripe_event("payment_intent.succeeded", pi | changes)


def state(order) -> dict:
    order.refresh_from_db()
    return {"order": order.status, "payments": list(order.payments.values_list("status",
                                                                               flat=True)),
            "events": PaymentEvent.objects.filter(payment__order=order).count(),
            "entries": sorted(order.entries.values_list("status", flat=True)),
            "mails": Notification.objects.count(),
            "audit": AuditEvent.objects.count()}


def confirmations(response) -> list[tuple[str, str]]:
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own reply)
    expected = autopay_hash([root.findtext("serviceID"),
                             *[t.text for t in root.iter() if t.tag in ("orderID",
                                                                        "confirmation")]])
    assert root.findtext("hash") == expected
    return [(t.findtext("orderID"), t.findtext("confirmation"))
            for t in root.iter("transactionConfirmed")]


# ---------------------------------------------------------------- Stripe


def test_a_signed_stripe_payment_pays_the_order_and_the_same_notification_again_changes_nothing(
        seller, order):
    _pi, payload = succeeded(order)
    response = send_stripe(seller, payload)
    assert response.status_code == 200, response.content
    paid = state(order)
    assert paid["order"] == OrderStatus.PAID and paid["payments"] == ["confirmed"]
    assert set(paid["entries"]) == {EntryStatus.VALID} and paid["mails"] == 2

    again = send_stripe(seller, payload)  # Stripe retries an event it thinks we missed
    assert again.status_code == 200
    assert state(order) == paid
    assert ProviderNotification.objects.filter(verified=True).count() == 2


def test_another_event_confirming_the_same_payment_changes_nothing(seller, order):
    pi, payload = succeeded(order)
    send_stripe(seller, payload)
    paid = state(order)
    session = {"id": "cs_1", "payment_intent": pi["id"], "payment_status": "paid",
               "amount_total": order.total, "currency": "pln",
               "metadata": {"order_number": order.number}}
    response = send_stripe(seller, stripe_event("checkout.session.completed", session))
    assert response.status_code == 200
    assert state(order) | {"events": 0} == paid | {"events": 0}


@pytest.mark.parametrize("signature", ["", "t=1,v1=00", "v1=abc", "t=1700000000,v1=é"])
def test_a_wrongly_signed_stripe_notification_is_refused_kept_and_logged(
        seller, order, signature, caplog):
    before = state(order)
    _pi, payload = succeeded(order)
    with caplog.at_level(logging.WARNING, logger="postsale.payments.notifications_in"):
        response = send_stripe(seller, payload, signature)
    assert response.status_code == 400
    assert state(order) == before and not Payment.objects.exists()
    kept = ProviderNotification.objects.get()
    assert (kept.seller, kept.provider, kept.verified) == (seller, "stripe", False)
    assert kept.error and json.loads(kept.body)["type"] == "payment_intent.succeeded"
    assert "refused" in caplog.text


def test_a_stripe_signature_made_with_another_sellers_secret_is_refused(seller, order):
    ProviderAccount.objects.filter(seller=seller, provider="stripe").update(
        config=STRIPE_CONFIG | {"webhook_secret": "whsec_acme_own"})
    _pi, payload = succeeded(order)
    assert send_stripe(seller, payload).status_code == 400
    assert not Payment.objects.exists()


def test_a_failed_then_confirmed_payment_is_recorded_in_order(seller, order):
    pi = payment_intent(order.total, order_number=order.number, status="requires_payment_method")
    send_stripe(seller, stripe_event("payment_intent.payment_failed", pi))
    assert state(order)["payments"] == ["failed"]
    send_stripe(seller, stripe_event("payment_intent.succeeded", pi | {"status": "succeeded"}))
    assert state(order)["order"] == OrderStatus.PAID


def test_an_event_without_order_number_is_matched_by_its_transaction_or_ignored(seller, order):
    pi, payload = succeeded(order)
    send_stripe(seller, stripe_event("payment_intent.processing", pi | {"metadata": {}}))
    assert not Payment.objects.exists()  # not one of ours: acknowledged, nothing recorded
    send_stripe(seller, payload)
    refund = stripe_event("charge.refunded", pi["latest_charge"] | {
        "metadata": {}, "refunded": True, "amount_refunded": order.total})
    assert send_stripe(seller, refund).status_code == 200
    assert state(order)["payments"] == ["refunded"]


def test_a_payment_for_an_order_of_another_seller_is_an_unknown_order(
        seller, other_seller, accounts):
    theirs = make_order(other_seller, make_product(other_seller, price=1000), quantity=1)
    _pi, payload = succeeded(theirs)
    response = send_stripe(seller, payload)  # sent to acme's endpoint, signed alike
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.AWAITING_PAYMENT and not Payment.objects.exists()
    assert "No order" in ProviderNotification.objects.get().error


def test_a_payment_that_does_not_match_the_recorded_amount_is_a_conflict(seller, order):
    pi, payload = succeeded(order)
    send_stripe(seller, payload)
    response = send_stripe(seller, stripe_event("payment_intent.succeeded",
                                                pi | {"amount_received": 1, "amount": 1}))
    assert response.status_code == 409
    assert "amount" in ProviderNotification.objects.order_by("id").last().error


# ---------------------------------------------------------------- gateway's own refunds


def test_a_refund_made_in_stripe_itself_is_recorded_and_flagged(seller, order):
    pi, payload = succeeded(order)
    send_stripe(seller, payload)
    refunded = stripe_event("charge.refunded", pi["latest_charge"] | {
        "refunded": True, "amount_refunded": order.total})
    assert send_stripe(seller, refunded).status_code == 200
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.refunded_amount == payment.amount  # nothing left to refund through us
    flag = PaymentFlag.objects.get(payment=payment)
    assert flag.kind == PaymentFlag.Kind.PROVIDER_REFUND and flag.resolved_at is None
    assert state(order)["order"] == OrderStatus.PAID  # an agent decides about the entries
    with pytest.raises(DomainError) as refused:  # the money is back already
        refund_request(seller=seller, order_number=order.number, by=RequestedBy.SELLER,
                       actor=SYSTEM)
    assert refused.value.code == "not_refundable" and not Refund.objects.exists()
    assert send_stripe(seller, refunded).status_code == 200  # again: still one flag
    assert PaymentFlag.objects.count() == 1


def test_a_gateway_refund_of_an_unpaid_order_keeps_its_entries_inactive(seller, order):
    pi = payment_intent(order.total, order_number=order.number)
    refunded = stripe_event("charge.refunded", pi["latest_charge"] | {
        "refunded": True, "amount_refunded": order.total})
    assert send_stripe(seller, refunded).status_code == 200
    after = state(order)
    assert after["order"] == OrderStatus.AWAITING_PAYMENT
    assert after["payments"] == ["refunded"] and set(after["entries"]) == {EntryStatus.PENDING}
    assert PaymentFlag.objects.get().kind == PaymentFlag.Kind.PROVIDER_REFUND
    # The confirmation the gateway sent first arrives late: it pays nothing.
    send_stripe(seller, stripe_event("payment_intent.succeeded", pi))
    assert state(order)["order"] == OrderStatus.AWAITING_PAYMENT


def test_the_echo_of_our_own_refund_is_not_flagged(seller, order):
    with FakeStripe() as fake:
        ProviderAccount.objects.filter(seller=seller, provider="stripe").update(
            config=fake.config())
        pi_id = fake.add_intent(order.total, order_number=order.number)
        send_stripe(seller, stripe_event("payment_intent.succeeded", fake.intents[pi_id]))
        refund = refund_request(seller=seller, order_number=order.number,
                                by=RequestedBy.SELLER, actor=SYSTEM)
        assert refund_process(refund_id=refund.pk) == RefundStatus.SUCCEEDED
        echo = stripe_event("charge.refunded", fake.intents[pi_id]["latest_charge"])
    assert send_stripe(seller, echo).status_code == 200
    assert len(fake.refunds) == 1 and not PaymentFlag.objects.exists()
    assert state(order)["order"] == OrderStatus.REFUNDED


# ---------------------------------------------------------------- Autopay


def test_a_hashed_autopay_itn_pays_the_order_once_and_is_confirmed(seller, order):
    body = autopay_itn([autopay_transaction(order.number, "80.00")])
    response = send_autopay(seller, body)
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert confirmations(response) == [(order.number, "CONFIRMED")]
    paid = state(order)
    assert paid["order"] == OrderStatus.PAID and paid["mails"] == 2

    again = send_autopay(seller, body)  # Autopay repeats until it reads CONFIRMED
    assert again.status_code == 200 and confirmations(again) == [(order.number, "CONFIRMED")]
    assert state(order) == paid


def test_an_autopay_itn_with_a_wrong_hash_is_refused_and_kept(seller, order, caplog):
    before = state(order)
    body = autopay_itn([autopay_transaction(order.number, "80.00")], key="guessed")
    with caplog.at_level(logging.WARNING, logger="postsale.payments.notifications_in"):
        response = send_autopay(seller, body)
    assert response.status_code == 400 and state(order) == before
    kept = ProviderNotification.objects.get()
    assert not kept.verified and "hash" in kept.error and kept.body.startswith("transactions=")
    assert "refused" in caplog.text


def test_an_itn_for_an_unknown_order_is_not_confirmed(seller, other_seller, order):
    theirs = make_order(other_seller, make_product(other_seller, price=1000), quantity=1)
    body = autopay_itn([autopay_transaction(order.number, "80.00"),
                        autopay_transaction(theirs.number, "10.00")])
    response = send_autopay(seller, body)
    assert response.status_code == 404
    assert confirmations(response) == [(order.number, "CONFIRMED"),
                                       (theirs.number, "NOTCONFIRMED")]
    theirs.refresh_from_db()
    assert state(order)["order"] == OrderStatus.PAID
    assert theirs.status == OrderStatus.AWAITING_PAYMENT


# ---------------------------------------------------------------- routing


@pytest.mark.parametrize(("provider", "slug", "error"), [
    ("paypal", "acme", "unknown provider"),
    ("stripe", "nobody", "unknown seller"),
    ("manual", "acme", "no active account"),
])
def test_an_unknown_provider_or_seller_is_not_found_and_logged(
        seller, accounts, provider, slug, error, caplog):
    with caplog.at_level(logging.WARNING, logger="postsale.payments.notifications_in"):
        response = Client().post(f"/hooks/payments/{provider}/{slug}", b"{}",
                                 content_type="application/json")
    assert response.status_code == 404 and error in caplog.text
    kept = ProviderNotification.objects.get()
    assert (kept.provider, kept.verified, kept.error) == (provider, False, error)


def test_an_inactive_account_receives_nothing(seller, order):
    ProviderAccount.objects.filter(seller=seller, provider="stripe").update(active=False)
    _pi, payload = succeeded(order)
    assert send_stripe(seller, payload).status_code == 404
    assert not Payment.objects.exists()


def test_only_post_is_accepted_and_a_huge_body_is_refused(seller, accounts, settings):
    assert Client().get(f"/hooks/payments/stripe/{seller.slug}").status_code == 405
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post(f"/hooks/payments/stripe/{seller.slug}", b"x" * 2000,
                             content_type="application/json")
    assert response.status_code == 413


FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
path_part = st.sampled_from(["stripe", "autopay", "manual", "acme", "other", "\x00", "a\x00"]
                            ) | st.text(min_size=1, max_size=20)


@FUZZ
@given(provider=path_part, slug=path_part, body=st.binary(max_size=300),
       signature=st.text(max_size=80), content_type=st.sampled_from([
           "application/json", FORM, "text/plain", "multipart/form-data; boundary=x"]))
def test_no_input_makes_the_endpoint_fail(seller, accounts, provider, slug, body, signature,
                                          content_type):
    response = Client().post(f"/hooks/payments/{quote(provider, safe='')}/"
                             f"{quote(slug, safe='')}", body, content_type=content_type,
                             headers={"Stripe-Signature": signature})
    assert response.status_code in (200, 400, 404)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=10)


@FUZZ
@given(kind=st.sampled_from(["payment_intent.succeeded", "charge.refunded",
                             "checkout.session.completed", "payment_intent.payment_failed"]),
       obj=st.fixed_dictionaries({"id": st.sampled_from(["pi_1", "pi\x00"]) | json_values,
                                  "amount": st.sampled_from([8000, -1, 2**70]) | json_values,
                                  "currency": st.sampled_from(["pln", "eur"]) | json_values},
                                 optional={k: json_values for k in (
                                     "amount_received", "payment_intent", "refunded",
                                     "payment_status", "amount_total")}),
       order_number=st.sampled_from(["", "PID-NOPE", "PID\x00"]) | st.text(max_size=20))
def test_a_correctly_signed_event_of_any_shape_never_fails(seller, accounts, kind, obj,
                                                           order_number):
    obj = obj | {"metadata": {"order_number": order_number}} if order_number else obj
    response = send_stripe(seller, stripe_event(kind, obj))
    assert response.status_code in (200, 400, 404, 409, 422)


@FUZZ
@given(fields=st.fixed_dictionaries({
    "orderID": st.text(max_size=40), "remoteID": st.text(max_size=20),
    "amount": st.sampled_from(["1.00", "0", "99999999999999999.99"]) | st.text(max_size=10),
    "currency": st.sampled_from(["PLN", "EUR", "JPY", "", "XXX"]),
    "paymentStatus": st.sampled_from(["SUCCESS", "PENDING", "FAILURE", "OTHER"])}))
def test_a_correctly_hashed_itn_of_any_content_never_fails(seller, accounts, fields):
    printable = {k: "".join(c for c in v if c.isprintable() and c not in "\r\x0b\x0c")
                 for k, v in fields.items()}
    response = send_autopay(seller, autopay_itn([printable]))
    assert response.status_code in (200, 400, 404, 409, 422)
