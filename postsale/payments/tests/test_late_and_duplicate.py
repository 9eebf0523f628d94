"""Payments that arrive after the order expired or was canceled follow the seller's
policy; probable duplicate payments are flagged for an agent, never refunded by
themselves (SPEC §5)."""

from datetime import timedelta

import pytest

from postsale.core import clock
from postsale.core.audit import SYSTEM
from postsale.core.errors import Conflict
from postsale.core.models import AuditEvent
from postsale.notifications.models import Notification
from postsale.orders.models import EntryStatus, OrderStatus, ProductKind
from postsale.orders.services import order_cancel, order_expire
from postsale.orders.tests.factories import make_product, make_slot, order_draft
from postsale.payments.models import (
    Payment,
    PaymentFlag,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from postsale.payments.payment_refunds import payment_refund
from postsale.payments.selectors import payment_flags_of_order, payment_flags_open
from postsale.payments.services import PaymentReport, order_submit, payment_record_event
from postsale.payments.settlement import payment_flag_resolve

HOUR = timedelta(hours=1)
LATE, DUPLICATE = PaymentFlag.Kind.LATE, PaymentFlag.Kind.DUPLICATE


def submit(seller, product, *, now, **kwargs):
    order, _ = order_submit(seller=seller, draft=order_draft(product, **kwargs), actor=SYSTEM,
                            source="api:test", now=now)
    return order


def confirm(order, tx="T-1", *, now=None, amount=None, status="confirmed"):
    return payment_record_event(
        seller=order.seller, order_number=order.number, source="test", actor=SYSTEM,
        report=PaymentReport(provider="manual", transaction_id=tx, status=status,
                             amount=amount), now=now)


def kinds(order):
    return sorted(Notification.objects.filter(tags__tag=f"order:{order.pk}")
                  .values_list("kind", flat=True))


@pytest.fixture
def t0():
    # In the past, so refunds queued "now" are due when the task runs on commit.
    return clock.now() - timedelta(days=2)


@pytest.fixture
def timed(seller):
    product = make_product(seller, kind=ProductKind.TIMED_ENTRY, price=3000)
    return product, make_slot(product, capacity=2)


@pytest.fixture
def expired(seller, timed, t0):
    """An order for both places of the slot, expired an hour after it was placed."""
    product, slot = timed
    order = submit(seller, product, slot=slot, quantity=2, now=t0)
    return order_expire(order=order, now=t0 + HOUR)


def test_a_late_payment_activates_the_order_when_its_places_are_still_free(
        expired, t0, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = confirm(expired, now=t0 + 5 * HOUR)
    order = result.order
    order.refresh_from_db()
    assert (order.status, order.paid_at, order.closed_at) == (OrderStatus.PAID, t0 + 5 * HOUR,
                                                              None)
    assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VALID}
    flag = PaymentFlag.objects.get(payment=result.payment)
    assert flag.kind == LATE and flag.resolved_at  # recorded; nothing for an agent to do
    assert "activated" in flag.detail
    assert not Refund.objects.exists()
    assert kinds(order) == ["entries_delivery", "late_payment", "order_receipt"]
    late = Notification.objects.get(kind="late_payment")
    assert "There were still places left" in late.body_text
    actions = set(AuditEvent.objects.filter(subject=f"order:{order.pk}")
                  .values_list("action", flat=True))
    assert {"order.expired", "payment.late", "order.reactivated", "order.paid"} <= actions


def test_a_late_payment_is_refunded_when_the_places_were_sold_meanwhile(
        seller, timed, expired, t0, django_capture_on_commit_callbacks):
    product, slot = timed
    submit(seller, product, slot=slot, quantity=1, email="other@example.com", now=t0 + 2 * HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        result = confirm(expired, now=t0 + 5 * HOUR)
    order, payment = result.order, result.payment
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED  # stays expired
    assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VOID}
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.amount, refund.requested_by) == (
        RefundStatus.SUCCEEDED, 6000, "system")
    assert [p.payment_id for p in refund.parts.all()] == [payment.pk]
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, 6000)
    assert "no_places" in PaymentFlag.objects.get(payment=payment, kind=LATE).detail
    late = Notification.objects.get(kind="late_payment")
    assert "places you had chosen were taken" in late.body_text
    assert "60.00 PLN" in late.body_text
    assert "refund_confirmation" in kinds(order)


@pytest.mark.parametrize(("policy", "close", "sold_meanwhile", "outcome"), [
    ("activate", "expire", 0, "activated"),
    ("activate", "expire", 1, "no_places"),
    ("refund", "expire", 0, "policy"),
    ("activate", "cancel", 0, "canceled"),
    ("refund", "cancel", 0, "canceled"),
])
def test_late_payment_outcomes(seller, timed, t0, policy, close, sold_meanwhile, outcome):
    seller.late_payment_policy = policy
    seller.save()
    product, slot = timed
    order = submit(seller, product, slot=slot, quantity=2, now=t0)
    if close == "expire":
        order_expire(order=order, now=t0 + HOUR)
    else:
        order_cancel(order=order, actor=SYSTEM, now=t0 + HOUR)
    if sold_meanwhile:
        submit(seller, product, slot=slot, quantity=sold_meanwhile, email="b@example.com",
               now=t0 + 2 * HOUR)
    result = confirm(order, now=t0 + 3 * HOUR)
    assert PaymentFlag.objects.get(payment=result.payment, kind=LATE).detail.endswith(
        f"{outcome}.")
    order.refresh_from_db()
    activated = outcome == "activated"
    assert order.status == (OrderStatus.PAID if activated else
                            OrderStatus.EXPIRED if close == "expire" else OrderStatus.CANCELED)
    assert Refund.objects.filter(order=order).count() == (0 if activated else 1)


def test_a_late_payment_for_a_time_that_has_started_is_refunded(seller, timed, t0):
    product, slot = timed
    order = order_expire(order=submit(seller, product, slot=slot, now=t0), now=t0 + HOUR)
    result = confirm(order, now=slot.starts_at + timedelta(minutes=1))
    assert "started" in PaymentFlag.objects.get(payment=result.payment).detail
    assert Refund.objects.get(order=order).amount == order.total


def test_the_same_late_confirmation_twice_refunds_once(seller, timed, expired, t0):
    product, slot = timed
    submit(seller, product, slot=slot, quantity=1, email="b@example.com", now=t0 + 2 * HOUR)
    confirm(expired, now=t0 + 5 * HOUR)
    again = confirm(expired, now=t0 + 6 * HOUR)
    assert not again.applied
    assert Refund.objects.filter(order=expired).count() == 1
    assert Notification.objects.filter(kind="late_payment").count() == 1


def test_a_payment_for_an_open_order_is_not_late(seller, timed, t0):
    """The deadline passed but the sweep has not come yet: the payment is on time."""
    product, slot = timed
    order = submit(seller, product, slot=slot, now=t0)
    result = confirm(order, now=t0 + 2 * HOUR)
    result.order.refresh_from_db()
    assert result.order.status == OrderStatus.PAID and not PaymentFlag.objects.exists()


# Duplicates.

@pytest.fixture
def roomy(seller):
    product = make_product(seller, kind=ProductKind.TIMED_ENTRY, price=3000)
    return product, make_slot(product, capacity=10)


@pytest.fixture
def first(seller, roomy, t0):
    product, slot = roomy
    order = submit(seller, product, slot=slot, quantity=1, now=t0)
    confirm(order, "BANK-1", now=t0 + 3 * HOUR)  # the slow transfer
    return order


@pytest.mark.parametrize(("minutes_later", "quantity", "email", "flagged"), [
    (25, 1, "anna.kowalska@example.com", True),
    (120, 1, "anna.kowalska@example.com", True),  # the window's end
    (121, 1, "anna.kowalska@example.com", False),  # outside the window
    (25, 2, "anna.kowalska@example.com", False),  # other quantities
    (25, 1, "jan.nowak@example.com", False),  # another customer
])
def test_a_second_paid_order_with_the_same_items_is_flagged(
        seller, roomy, t0, first, minutes_later, quantity, email, flagged):
    product, slot = roomy
    again = t0 + timedelta(minutes=minutes_later)
    second = submit(seller, product, slot=slot, quantity=quantity, email=email, now=again)
    result = confirm(second, "CARD-1", now=again + timedelta(minutes=1))
    flags = list(PaymentFlag.objects.all())
    assert len(flags) == int(flagged)
    if flagged:
        (flag,) = flags
        assert (flag.kind, flag.payment, flag.related_order) == (DUPLICATE, result.payment,
                                                                  first)
        assert list(payment_flags_open(seller)) == [flag]
        assert list(payment_flags_of_order(first)) == list(payment_flags_of_order(second))
    assert not Refund.objects.exists()  # never by itself


def test_the_newer_order_is_flagged_even_when_it_was_paid_first(seller, roomy, t0):
    """The customer buys again by card while the transfer of the first order is on its
    way; then the transfer arrives."""
    product, slot = roomy
    older = submit(seller, product, slot=slot, quantity=1, now=t0)
    newer = submit(seller, product, slot=slot, quantity=1, now=t0 + timedelta(minutes=25))
    card = confirm(newer, "CARD-1", now=t0 + timedelta(minutes=26)).payment
    assert not PaymentFlag.objects.exists()
    confirm(older, "BANK-1", now=t0 + 5 * HOUR)
    flag = PaymentFlag.objects.get()
    assert (flag.payment, flag.related_order) == (card, older)
    assert "25 min" in flag.detail


def test_a_second_payment_of_a_paid_order_is_flagged_and_can_be_refunded(
        seller, first, t0, django_capture_on_commit_callbacks):
    second = confirm(first, "CARD-2", now=t0 + 4 * HOUR).payment
    flag = PaymentFlag.objects.get()
    assert (flag.kind, flag.payment, flag.related_order) == (DUPLICATE, second, None)
    first.refresh_from_db()
    assert first.status == OrderStatus.PAID and not Refund.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        refund = payment_refund(payment=second, actor=SYSTEM, now=t0 + 5 * HOUR)
    refund.refresh_from_db()
    second.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == second.amount
    assert second.status == PaymentStatus.REFUNDED
    assert not payment_flags_open(seller).exists()
    first.refresh_from_db()
    assert set(first.entries.values_list("status", flat=True)) == {EntryStatus.VALID}


def test_refunding_a_duplicate_payment_leaves_the_order_paid(
        seller, first, t0, django_capture_on_commit_callbacks):
    second = confirm(first, "CARD-2", now=t0 + 4 * HOUR).payment
    with django_capture_on_commit_callbacks(execute=True):
        payment_refund(payment=second, actor=SYSTEM, now=t0 + 5 * HOUR)
    first.refresh_from_db()
    assert first.status == OrderStatus.PAID


def test_the_payment_that_pays_the_order_is_not_refunded_as_a_duplicate(seller, first):
    payment = Payment.objects.get(order=first)
    with pytest.raises(Conflict) as refused:
        payment_refund(payment=payment, actor=SYSTEM)
    assert refused.value.code == "payment_pays_the_order"
    assert not Refund.objects.exists()


def test_an_agent_resolves_a_flag(seller, first, t0):
    confirm(first, "CARD-2", now=t0 + 4 * HOUR)
    flag = payment_flags_open(seller).get()
    payment_flag_resolve(payment_flag=flag, actor=SYSTEM, now=t0 + 5 * HOUR)
    assert not payment_flags_open(seller).exists()
    assert payment_flags_of_order(first).get().resolved_at == t0 + 5 * HOUR


def test_a_gateway_refund_of_an_unpaid_order_is_recorded_and_its_entries_stay_inactive(
        seller, timed, t0):
    product, slot = timed
    order = submit(seller, product, slot=slot, now=t0)
    confirm(order, "GW-1", status="pending", now=t0)
    confirm(order, "GW-1", status="failed", now=t0)
    order_expire(order=order, now=t0 + HOUR)
    payment = Payment.objects.get()
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.CONFIRMED)
    confirm(order, "GW-1", status="refunded", now=t0 + 2 * HOUR)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED,
                                                          payment.amount)
    flag = PaymentFlag.objects.get()
    assert flag.kind == PaymentFlag.Kind.PROVIDER_REFUND and flag.resolved_at
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VOID}
