import pytest

from postsale.core.audit import SYSTEM
from postsale.core.errors import NotFound
from postsale.core.models import AuditEvent
from postsale.orders.models import EntryStatus, OrderStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.models import Invoice, PaymentEvent, Subscription
from postsale.payments.services import PaymentReport, payment_record_event


def report(order, status="confirmed", tx="T-1", **kwargs):
    return payment_record_event(seller=order.seller, order_number=order.number,
                                report=PaymentReport(provider="manual", transaction_id=tx,
                                                     status=status, **kwargs),
                                source="test", actor=SYSTEM)


def test_confirmation_pays_the_order_validates_entries_and_issues_an_invoice(seller):
    order = make_order(seller)
    result = report(order)
    order.refresh_from_db()
    assert result.applied and order.status == OrderStatus.PAID and order.paid_at
    assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VALID}
    assert Invoice.objects.get(order=order).amount == order.total
    assert AuditEvent.objects.filter(subject=f"order:{order.pk}", action="order.paid").exists()


def test_the_same_report_twice_changes_nothing(seller):
    order = make_order(seller)
    report(order)
    again = report(order)
    assert not again.applied
    assert PaymentEvent.objects.count() == 1 and Invoice.objects.count() == 1


def test_partial_payments_pay_the_order_once_they_cover_it(seller):
    order = make_order(seller, make_product(seller, price=1000), quantity=2)
    report(order, tx="A", amount=1500)
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    report(order, tx="B", amount=500)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_failed_payment_may_be_confirmed_later_but_nothing_leaves_refunded(seller):
    order = make_order(seller)
    report(order, status="failed")
    assert report(order, status="confirmed").applied
    result = report(order, status="pending")
    assert not result.applied and "cannot change it" in result.detail


def test_an_order_of_another_seller_is_not_found(seller, other_seller):
    order = make_order(other_seller)
    with pytest.raises(NotFound):
        payment_record_event(seller=seller, order_number=order.number,
                             report=PaymentReport("manual", "T", "confirmed"),
                             source="test", actor=SYSTEM)


def test_paying_a_subscription_starts_it(seller):
    product = make_product(seller, kind=ProductKind.SUBSCRIPTION, billing_period_months=1)
    order = make_order(seller, product, quantity=1, paid=True)
    subscription = Subscription.objects.get(order=order)
    assert subscription.status == "active"
    assert subscription.current_period_end > subscription.started_at
