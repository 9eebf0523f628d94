"""Money under concurrency on PostgreSQL: many requests, workers and notifications at once
still make exactly one refund at the provider and one state change."""

import threading
import traceback
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from postsale.core import clock
from postsale.core.audit import SYSTEM
from postsale.core.errors import Conflict
from postsale.core.models import AuditEvent
from postsale.orders.models import EntryStatus, OrderStatus
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.models import (
    PaymentEvent,
    ProviderAccount,
    Refund,
    RefundItem,
    RefundStatus,
)
from postsale.payments.refunds import refund_process, refund_request, refunds_sweep
from postsale.payments.rules import RequestedBy
from postsale.payments.services import PaymentReport, payment_record_event
from postsale.payments.tests.fakes import FakeStripe, stripe_event, stripe_signature
from postsale.sellers.tests.factories import make_seller

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 20


@pytest.fixture
def fake():
    with FakeStripe() as server:
        yield server


@pytest.fixture
def order(fake):
    """Two entries of 40.00, paid through the fake Stripe."""
    seller = make_seller(slug="race")
    ProviderAccount.objects.create(seller=seller, provider="stripe", config=fake.config())
    order = make_order(seller, make_product(seller, price=4000), quantity=2)
    pi = fake.add_intent(order.total, order_number=order.number)
    payment_record_event(seller=seller, order_number=order.number,
                         report=PaymentReport("stripe", pi, "confirmed", amount=order.total),
                         source="test", actor=SYSTEM)
    return order


def race(work, n: int = THREADS) -> list[tuple[str, str]]:
    """Run `work()` in n threads released at once; each result is ("ok", value),
    ("conflict", code) or ("error", repr) — the last must never happen."""
    barrier, results, lock = threading.Barrier(n), [], threading.Lock()

    def run():
        try:
            barrier.wait(timeout=10)
            outcome = ("ok", work())
        except Conflict as exc:
            outcome = ("conflict", exc.code)
        except Exception:  # an IntegrityError, a deadlock: what must not leak
            outcome = ("error", traceback.format_exc())
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == n, "a thread hung"
    return results


def test_twenty_concurrent_refunds_of_one_entry_make_one_refund_at_the_provider(order, fake):
    entry = order.entries.first()
    results = race(lambda: refund_request(
        seller=order.seller, order_number=order.number, by=RequestedBy.SELLER, actor=SYSTEM,
        keys=[f"entry:{entry.number}"]).number)

    assert [r for r in results if r[0] == "error"] == []
    assert sorted(kind for kind, _ in results) == ["conflict"] * (THREADS - 1) + ["ok"]
    assert {code for kind, code in results if kind == "conflict"} == {"already_refunded"}
    refund = Refund.objects.get()
    assert RefundItem.objects.filter(active=True).count() == 1
    refunds_sweep(now=clock.now() + timedelta(hours=1))  # if the inline task did not run
    refund.refresh_from_db()
    entry.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == 4000
    assert len(fake.refunds) == 1 and fake.refunds[0]["amount"] == 4000
    assert entry.status == EntryStatus.VOID and order.status == OrderStatus.PARTIALLY_REFUNDED


def test_twenty_workers_sending_one_due_refund_reach_the_provider_once(order, fake):
    later = clock.now() + timedelta(hours=1)
    refund = refund_request(seller=order.seller, order_number=order.number,
                            by=RequestedBy.SELLER, actor=SYSTEM, process_at=later)
    results = race(lambda: refund_process(refund_id=refund.pk, now=later))

    assert [r for r in results if r[0] == "error"] == []
    statuses = sorted(str(value) for _, value in results)
    assert statuses == ["None"] * (THREADS - 1) + [RefundStatus.SUCCEEDED]
    assert len(fake.refunds) == 1
    assert fake.requests.count(("POST", "/v1/refunds")) == 1


def test_the_same_notification_delivered_ten_times_at_once_changes_the_order_once(fake):
    seller = make_seller(slug="hooks-race")
    ProviderAccount.objects.create(seller=seller, provider="stripe", config=fake.config())
    order = make_order(seller, make_product(seller, price=4000), quantity=2)
    pi = fake.add_intent(order.total, order_number=order.number)
    payload = stripe_event("payment_intent.succeeded", fake.intents[pi])

    def deliver():
        return Client().post(f"/hooks/payments/stripe/{seller.slug}", payload,
                             content_type="application/json",
                             headers={"Stripe-Signature": stripe_signature(payload)}
                             ).status_code

    results = race(deliver, n=10)
    assert results == [("ok", 200)] * 10
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert PaymentEvent.objects.filter(payment__order=order).count() == 1
    assert AuditEvent.objects.filter(subject=f"order:{order.pk}", action="order.paid").count() == 1
