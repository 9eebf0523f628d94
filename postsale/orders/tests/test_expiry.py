"""Unpaid orders expire at their payment deadline and give their places back (SPEC §5);
unpaid orders can be canceled; paid ones only through a refund."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from postsale.core import clock, periodic
from postsale.core.audit import SYSTEM
from postsale.core.errors import Conflict, Invalid
from postsale.core.models import AuditEvent
from postsale.core.tests.helpers import row_locked_elsewhere
from postsale.orders.models import EntryStatus, Order, OrderStatus, ProductKind
from postsale.orders.services import order_cancel, order_create, order_expire, orders_expiry_sweep
from postsale.orders.tests.factories import make_order, make_product, make_slot, order_draft
from postsale.payments.services import order_submit

HOUR = timedelta(hours=1)


def submit(seller, product, *, source="api:test", now=None, **kwargs):
    order, _ = order_submit(seller=seller, draft=order_draft(product, **kwargs), actor=SYSTEM,
                            source=source, now=now)
    return order


@pytest.fixture
def timed(seller):
    product = make_product(seller, kind=ProductKind.TIMED_ENTRY, price=3000)
    return product, make_slot(product, capacity=2)


def expired_audits(order):
    return AuditEvent.objects.filter(subject=f"order:{order.pk}", action="order.expired").count()


@pytest.mark.parametrize(("source", "paid", "minutes", "deadline"), [
    ("api:abc", False, 60, timedelta(minutes=60)),
    ("api:abc", False, 15, timedelta(minutes=15)),
    ("api:abc", True, 60, None),  # the channel took the money already
    ("api:abc", False, 0, None),  # expiry turned off
    ("import:csv", False, 60, None),  # imported orders are settled elsewhere
    ("demo:web-shop", False, 60, None),
])
def test_orders_from_the_api_get_a_payment_deadline(seller, settings, source, paid, minutes,
                                                    deadline):
    settings.POSTSALE_DEFAULT_PAYMENT_MINUTES = minutes
    now = clock.now()
    order = submit(seller, make_product(seller), source=source, paid=paid, now=now)
    assert order.expires_at == (now + deadline if deadline else None)


def test_order_create_without_payment_minutes_has_no_deadline(seller):
    order, _ = order_create(seller=seller, draft=order_draft(make_product(seller)), actor=SYSTEM)
    assert order.expires_at is None


def test_an_order_expires_only_once_its_deadline_has_passed(seller, timed):
    product, slot = timed
    now = clock.now()
    order = submit(seller, product, slot=slot, now=now)
    with pytest.raises(Conflict) as early:
        order_expire(order=order, now=now + HOUR - timedelta(seconds=1))
    assert early.value.code == "order_not_due"

    order = order_expire(order=order, now=now + HOUR)
    assert (order.status, order.closed_at) == (OrderStatus.EXPIRED, now + HOUR)
    assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VOID}
    assert order_expire(order=order, now=now + 2 * HOUR).closed_at == now + HOUR  # idempotent
    assert expired_audits(order) == 1


def test_the_sweep_expires_due_orders_releases_their_places_and_is_idempotent(seller, timed):
    product, slot = timed
    now = clock.now()
    unpaid = submit(seller, product, slot=slot, quantity=2, now=now)
    with pytest.raises(Invalid, match="not created"):  # both places are held
        submit(seller, product, slot=slot, quantity=1, now=now)

    assert orders_expiry_sweep(now=now + HOUR - timedelta(seconds=1)) == 0
    assert orders_expiry_sweep(now=now + HOUR) == 1
    assert orders_expiry_sweep(now=now + HOUR) == 0
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.EXPIRED and expired_audits(unpaid) == 1
    again = submit(seller, product, slot=slot, quantity=2, now=now + HOUR)
    assert again.entries.count() == 2  # the places are free again


def test_the_sweep_leaves_paid_and_undated_orders_alone(seller, timed):
    product, slot = timed
    now = clock.now()
    paid = submit(seller, product, slot=slot, quantity=1, paid=True, now=now)
    Order.objects.filter(pk=paid.pk).update(expires_at=now)  # paid before the sweep came
    undated = submit(seller, make_product(seller), source="import:csv", now=now)
    assert orders_expiry_sweep(now=now + 10 * HOUR) == 0
    assert {o.status for o in Order.objects.filter(pk__in=[paid.pk, undated.pk])} == {
        OrderStatus.PAID, OrderStatus.AWAITING_PAYMENT}


def test_both_sweeps_are_registered_as_periodic_jobs():
    assert {"orders_expiry", "exchanges_expiry"} <= set(periodic.jobs())


def test_an_unpaid_order_can_be_canceled_and_gives_its_places_back(seller, timed):
    product, slot = timed
    order = submit(seller, product, slot=slot, quantity=2)
    agent = SYSTEM
    order = order_cancel(order=order, actor=agent, reason="customer called")
    assert order.status == OrderStatus.CANCELED and order.closed_at
    assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VOID}
    event = AuditEvent.objects.get(subject=f"order:{order.pk}", action="order.canceled")
    assert event.data["reason"] == "customer called" and event.data["entries_voided"] == 2
    assert submit(seller, product, slot=slot, quantity=2).entries.count() == 2
    with pytest.raises(Conflict) as again:
        order_cancel(order=order, actor=agent)
    assert again.value.code == "order_not_cancelable"


def test_the_customer_is_told_when_the_seller_cancels_and_nothing_on_refusal(seller):
    from postsale.notifications.models import Notification

    order = submit(seller, make_product(seller))
    order_cancel(order=order, actor=SYSTEM, reason="internal: duplicate")
    mail = Notification.objects.get(kind="order_canceled")
    assert mail.to_email == order.email and mail.language == order.language
    assert order.number in mail.subject and "returned to you automatically" in mail.body_text
    assert "duplicate" not in mail.body_text  # the agent's reason is for the audit trail
    paid = make_order(seller, paid=True)
    with pytest.raises(Conflict):
        order_cancel(order=paid, actor=SYSTEM)
    assert Notification.objects.filter(kind="order_canceled").count() == 1


def test_an_expired_order_can_still_be_canceled(seller):
    now = clock.now()
    order = order_expire(order=submit(seller, make_product(seller), now=now), now=now + HOUR)
    assert order_cancel(order=order, actor=SYSTEM).status == OrderStatus.CANCELED


def test_a_paid_order_is_canceled_through_a_refund(seller):
    order = make_order(seller, paid=True)
    with pytest.raises(Conflict) as refused:
        order_cancel(order=order, actor=SYSTEM)
    assert refused.value.code == "order_paid" and "refund" in refused.value.message
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_an_order_another_transaction_holds(seller):
    now = clock.now()
    order = submit(seller, make_product(seller), now=now - 2 * HOUR)
    with row_locked_elsewhere(Order.objects.filter(pk=order.pk)):
        assert orders_expiry_sweep(now=now) == 0  # no waiting on the lock
    assert orders_expiry_sweep(now=now) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_expire_each_order_exactly_once(seller):
    now = clock.now()
    product = make_product(seller)
    orders = [submit(seller, product, email=f"guest{i}@example.com", now=now - 2 * HOUR)
              for i in range(30)]
    start, counts, errors = threading.Barrier(2), [], []

    def sweep():
        try:
            start.wait(10)
            counts.append(orders_expiry_sweep(now=now))
        except Exception as exc:  # reported by the test, not a thread's traceback
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and sum(counts) == 30
    assert all(expired_audits(o) == 1 for o in orders)
