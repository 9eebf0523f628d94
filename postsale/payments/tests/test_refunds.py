from datetime import timedelta

import pytest
from django.core import mail

from postsale.core import clock
from postsale.core.audit import SYSTEM
from postsale.core.errors import Conflict, DomainError
from postsale.orders.models import EntryStatus, OrderStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.models import Payment, PaymentStatus, RefundStatus, Subscription
from postsale.payments.providers import PROVIDERS
from postsale.payments.providers.base import (
    ProviderRejected,
    ProviderUnavailable,
    RefundResult,
)
from postsale.payments.refunds import refund_process, refund_request, refunds_sweep
from postsale.payments.rules import RequestedBy

CUSTOMER, SELLER = RequestedBy.CUSTOMER, RequestedBy.SELLER


def request(order, by=SELLER, **kwargs):
    return refund_request(seller=order.seller, order_number=order.number, by=by,
                          actor=SYSTEM, **kwargs)


@pytest.fixture
def paid(seller):
    return make_order(seller, make_product(seller, price=4000), quantity=2, paid=True)


def test_full_refund_voids_entries_refunds_the_order_and_tells_both_sides(
        paid, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refund = request(paid)
    refund.refresh_from_db()
    paid.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == 8000
    assert paid.status == OrderStatus.REFUNDED
    assert set(paid.entries.values_list("status", flat=True)) == {EntryStatus.VOID}
    assert Payment.objects.get(order=paid).status == PaymentStatus.REFUNDED
    assert sorted(m.to[0] for m in mail.outbox) == [paid.email, paid.seller.account_email]
    assert all(f"Refund {refund.number} for order {paid.number}" in m.subject
               for m in mail.outbox)


def test_partial_refund_of_one_entry(paid):
    entry = paid.entries.first()
    refund = request(paid, keys=[f"entry:{entry.number}"])
    assert refund_process(refund_id=refund.pk) == RefundStatus.SUCCEEDED
    paid.refresh_from_db()
    entry.refresh_from_db()
    assert paid.status == OrderStatus.PARTIALLY_REFUNDED and entry.status == EntryStatus.VOID
    assert paid.entries.filter(status=EntryStatus.VALID).count() == 1


def test_the_same_entry_cannot_be_refunded_twice(paid):
    key = f"entry:{paid.entries.first().number}"
    request(paid, keys=[key])
    with pytest.raises(Conflict):
        request(paid, keys=[key])


def test_a_customer_outside_the_window_gets_the_reason(paid):
    with pytest.raises(DomainError) as exc:
        request(paid, by=CUSTOMER, requested_at=clock.now() + timedelta(days=61))
    assert exc.value.status == 422 and "60 days" in exc.value.message


def test_an_unpaid_order_is_not_refundable(seller):
    with pytest.raises(Conflict):
        request(make_order(seller))


class FlakyProvider:
    name, label = "flaky", "Flaky"

    def __init__(self, failures, final=ProviderUnavailable):
        self.failures, self.final, self.calls = failures, final, []

    def refund(self, *, transaction_id, amount, currency, idempotency_key, config):
        self.calls.append(idempotency_key)
        if len(self.calls) <= self.failures:
            raise self.final("provider says 500")
        return RefundResult(provider_refund_id="re_1")


def _flaky_paid(seller, monkeypatch, provider):
    monkeypatch.setitem(PROVIDERS, "flaky", provider)
    order = make_order(seller, paid=True)
    Payment.objects.filter(order=order).update(provider="flaky")
    return order


def test_an_unavailable_provider_is_retried_with_backoff_then_succeeds(seller, monkeypatch):
    provider = FlakyProvider(failures=2)
    order = _flaky_paid(seller, monkeypatch, provider)
    refund = request(order)
    now = clock.now()
    assert refund_process(refund_id=refund.pk, now=now) == RefundStatus.PROCESSING
    refund.refresh_from_db()
    assert refund.next_attempt_at == now + timedelta(seconds=60)
    assert refunds_sweep(now=now + timedelta(seconds=30)) == 0  # not due yet
    assert refunds_sweep(now=now + timedelta(seconds=61)) == 1
    assert refunds_sweep(now=now + timedelta(seconds=400)) == 1
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert len(set(provider.calls)) == 1  # one idempotency key for every attempt


def test_a_rejected_refund_fails_at_once_and_the_seller_is_told(
        seller, monkeypatch, django_capture_on_commit_callbacks):
    order = _flaky_paid(seller, monkeypatch, FlakyProvider(failures=9, final=ProviderRejected))
    refund = request(order)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert refund_process(refund_id=refund.pk) == RefundStatus.FAILED
    refund.refresh_from_db()
    assert refund.needs_attention and "provider says 500" in refund.last_error
    assert [m.to[0] for m in mail.outbox] == [seller.account_email]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID  # nothing changed for the customer


def test_a_subscription_refund_returns_the_last_invoice_and_cancels_it(seller):
    product = make_product(seller, kind=ProductKind.SUBSCRIPTION, billing_period_months=1,
                           price=3000)
    order = make_order(seller, product, quantity=1, paid=True)
    refund = request(order)
    refund_process(refund_id=refund.pk)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == 3000
    assert Subscription.objects.get(order=order).status == "canceled"
