"""Refunds through real HTTP providers during an outage: retried with backoff by the worker,
and exactly one refund at the provider however the attempts failed."""

from datetime import timedelta

import pytest

from postsale.core import clock
from postsale.core.audit import SYSTEM
from postsale.notifications.models import Notification
from postsale.orders.models import EntryStatus, OrderStatus
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.models import PaymentStatus, ProviderAccount, Refund, RefundStatus
from postsale.payments.providers.autopay import major
from postsale.payments.refunds import refund_process, refund_request, refund_retry, refunds_sweep
from postsale.payments.rules import RequestedBy
from postsale.payments.services import PaymentReport, payment_record_event
from postsale.payments.tests.fakes import FakeAutopay, FakeStripe


@pytest.fixture(params=["stripe", "autopay"])
def gateway(request, seller):
    fake = FakeStripe() if request.param == "stripe" else FakeAutopay()
    with fake:
        ProviderAccount.objects.create(seller=seller, provider=request.param,
                                       config=fake.config())
        yield request.param, fake


@pytest.fixture
def order(seller, gateway):
    """Two entries of 40.00, paid through the gateway."""
    name, fake = gateway
    order = make_order(seller, make_product(seller, price=4000), quantity=2)
    tx = (fake.add_intent(order.total, order_number=order.number) if name == "stripe"
          else fake.add_transaction(order.number, major(order.total, order.currency)))
    payment_record_event(seller=seller, order_number=order.number,
                         report=PaymentReport(name, tx, "confirmed", amount=order.total),
                         source="test", actor=SYSTEM)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def request_refund(order) -> Refund:
    return refund_request(seller=order.seller, order_number=order.number,
                          by=RequestedBy.SELLER, actor=SYSTEM)


def due(refund: Refund):
    """Just after the refund's next attempt is due."""
    refund.refresh_from_db()
    return refund.next_attempt_at + timedelta(seconds=1)


def test_an_outage_is_retried_with_backoff_and_the_refund_reaches_the_provider_once(
        order, gateway):
    _name, fake = gateway
    refund = request_refund(order)
    started = clock.now()
    fake.mode = "error"  # HTTP 500
    assert refund_process(refund_id=refund.pk, now=started) == RefundStatus.PROCESSING
    fake.mode = "hang"  # no answer within the client's timeout
    assert refunds_sweep(now=due(refund)) == 1
    fake.mode = "hang_after"  # the provider refunds, but its answer is lost
    assert refunds_sweep(now=due(refund)) == 1
    assert len(fake.refunds) == 1
    fake.stop()  # connection refused
    assert refunds_sweep(now=due(refund)) == 1
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PROCESSING and refund.attempts == 4
    assert refund.last_error.startswith("ProviderUnavailable")
    assert refunds_sweep(now=refund.next_attempt_at - timedelta(seconds=1)) == 0  # backoff
    fake.start()
    fake.mode = "ok"
    assert refunds_sweep(now=due(refund)) == 1

    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.attempts == 5
    assert len(fake.refunds) == 1  # the retries reused the idempotency key
    assert refund.parts.get().provider_refund_id in {fake.refunds[0].get("id"),
                                                     fake.refunds[0].get("remoteOutID")}
    assert order.status == OrderStatus.REFUNDED
    assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VOID}
    assert order.payments.get().status == PaymentStatus.REFUNDED
    mails = Notification.objects.filter(kind="refund_confirmation")
    assert sorted(mails.values_list("to_email", flat=True)) == sorted(
        [order.email, order.seller.reply_to_email])
    assert refund.next_attempt_at is None
    assert refunds_sweep(now=clock.now() + timedelta(days=1)) == 0  # nothing left to do


def test_the_backoff_doubles_between_attempts(order, gateway):
    _name, fake = gateway
    refund = request_refund(order)
    fake.mode = "error"
    now = clock.now()
    gaps = []
    for _ in range(4):
        refund_process(refund_id=refund.pk, now=now)
        refund.refresh_from_db()
        gaps.append((refund.next_attempt_at - now).total_seconds())
        now = refund.next_attempt_at
    assert gaps == [60, 120, 240, 480] and fake.refunds == []


def test_after_repeated_failures_the_seller_is_told_and_an_agent_can_retry(
        order, gateway, settings):
    _name, fake = gateway
    settings.POSTSALE_REFUND_MAX_ATTEMPTS = 3
    refund = request_refund(order)
    fake.stop()
    now = clock.now()
    for _ in range(3):
        refund_process(refund_id=refund.pk, now=now)
        refund.refresh_from_db()
        now = (refund.next_attempt_at or now) + timedelta(seconds=1)
    assert refund.status == RefundStatus.FAILED and refund.needs_attention
    assert Notification.objects.filter(kind="refund_failed",
                                       to_email=order.seller.reply_to_email).count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID  # nothing happened for the customer yet

    fake.start()
    refund_retry(refund=refund, actor=SYSTEM)
    assert refunds_sweep(now=clock.now()) == 1
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and len(fake.refunds) == 1


def test_a_refund_the_provider_refuses_fails_at_once_without_retries(order, gateway):
    name, fake = gateway
    # The provider no longer knows the transaction (e.g. another account's keys).
    (fake.intents if name == "stripe" else fake.transactions).clear()
    refund = request_refund(order)
    assert refund_process(refund_id=refund.pk) == RefundStatus.FAILED
    refund.refresh_from_db()
    assert refund.needs_attention and refund.attempts == 1 and fake.refunds == []
    assert refunds_sweep(now=clock.now() + timedelta(days=1)) == 0
