"""Workers killed in the middle of processing (SIGKILL: no cleanup, transactions cut off
mid-way) lose nothing and do nothing twice (SPEC §13): 5,000 due refund requests on
PostgreSQL, two workers killed while processing them, restarted, and in the end every
ticket processed once, every refund paid once, every confirmation e-mailed.

Each ticket costs about 120 queries end to end (processing, refund, two e-mails, their
tasks): several minutes on a small machine. POSTSALE_SIGKILL_TICKETS=500 runs a smaller
version."""

import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count, F, Sum

from postsale.core import clock
from postsale.core.models import AuditEvent
from postsale.notifications.models import Notification, NotificationStatus
from postsale.notifications.services import SEND_LEASE
from postsale.notifications.tests.smtp import SmtpSink
from postsale.orders.models import Entry, EntryStatus, Order, OrderStatus
from postsale.payments.models import Payment, PaymentStatus, Refund, RefundPart, RefundStatus
from postsale.payments.refunds import PROCESSING_LEASE
from postsale.tickets.models import Resolution, Ticket, TicketStatus
from postsale.tickets.tests import bulk
from postsale.tickets.tests.processes import (
    database_url,
    process_env,
    start_worker,
    stop,
    sweep_at,
    wait_until,
)

TICKETS = int(os.environ.get("POSTSALE_SIGKILL_TICKETS", "5000"))
WORKERS = 2
CONFIRMATIONS = 2 * TICKETS  # to the customer and to the seller


def processed() -> int:
    return Ticket.objects.filter(status=TicketStatus.CLOSED).count()


def confirmations() -> Counter:
    return Counter(Notification.objects.filter(kind="refund_confirmation")
                   .values_list("status", flat=True))


def state() -> dict:
    now = clock.now()
    return {"processed": processed(),
            "refunds": Counter(Refund.objects.values_list("status", flat=True)),
            "refunds_due": Refund.objects.exclude(status=RefundStatus.SUCCEEDED)
            .filter(next_attempt_at__lte=now).count(),
            "confirmations": confirmations(),
            "mail_due": Notification.objects.filter(status=NotificationStatus.QUEUED,
                                                    next_attempt_at__lte=now).count(),
            "mail_queued": list(Notification.objects.filter(status=NotificationStatus.QUEUED)
                                .values_list("pk", "attempts", "created_at",
                                             "next_attempt_at", "last_error")[:5]),
            "now": now}


def only_leases_left() -> bool:
    """Everything is done but what the killed workers held: refunds or e-mails they had
    leased (their leases run out after PROCESSING_LEASE / SEND_LEASE)."""
    now = clock.now()
    refunds = Refund.objects.exclude(status=RefundStatus.SUCCEEDED)
    mails = Notification.objects.filter(status=NotificationStatus.QUEUED)
    return (processed() == TICKETS and Refund.objects.count() == TICKETS
            and not refunds.filter(next_attempt_at__lte=now).exists()
            and not refunds.exclude(status=RefundStatus.PROCESSING).exists()
            and not mails.filter(next_attempt_at__lte=now).exists()
            and Notification.objects.filter(kind="refund_confirmation").count()
            + 2 * refunds.count() == CONFIRMATIONS)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_killed_workers_lose_nothing_and_do_nothing_twice(seller, tmp_path):
    smtp = SmtpSink().start()
    log = tmp_path / "worker.log"
    env = process_env(database_url(tmp_path), smtp, tmp_path)
    ids = bulk.refund_requests(seller, TICKETS, opened=clock.now() - timedelta(days=7))
    assert Ticket.objects.filter(pk__in=ids, due_at__lte=clock.now()).count() == TICKETS
    started = time.monotonic()
    workers = [start_worker(env, log, "--interval", "0.1") for _ in range(WORKERS)]
    try:
        wait_until(lambda: processed() >= TICKETS // 5, timeout=TICKETS * 0.2,
                   what="a fifth of the tickets", log=log, interval=0.05, state=state)
        for worker in workers:
            os.kill(worker.pid, signal.SIGKILL)
        for worker in workers:
            worker.wait()
        now = clock.now()
        at_kill = (processed(), Refund.objects.filter(status=RefundStatus.SUCCEEDED).count(),
                   Refund.objects.filter(status=RefundStatus.PROCESSING,
                                         next_attempt_at__gt=now).count(),
                   Notification.objects.filter(status=NotificationStatus.QUEUED,
                                               next_attempt_at__gt=now).count())
        assert at_kill[0] < TICKETS, "the workers finished before they could be killed"

        workers = [start_worker(env, log, "--interval", "0.1") for _ in range(WORKERS)]
        wait_until(only_leases_left, timeout=TICKETS * 0.5,
                   what="the restarted workers to finish", log=log, interval=0.5,
                   state=state)
        # What the killed workers held comes back once its lease runs out: sweeps with
        # the clock moved past the leases, as the workers' own would run 10 minutes on.
        # Two of them: the confirmation of a refund the first one sends is queued after
        # that sweep took its "now", so it goes with the next.
        lease = max(PROCESSING_LEASE, SEND_LEASE).total_seconds()
        for minutes in (1, 2):
            sweep_at(time.time() + lease + 60 * minutes, env=env)
        wait_until(lambda: confirmations() == {"sent": CONFIRMATIONS}, timeout=60,
                   what="every confirmation to be sent", log=log, state=state)
        assert all(w.poll() is None for w in workers), log.read_text()[-5000:]
    finally:
        for worker in workers:
            stop(worker)
        smtp.stop()
    elapsed = time.monotonic() - started

    # Every ticket processed exactly once.
    tickets = Ticket.objects.filter(pk__in=ids)
    assert tickets.filter(status=TicketStatus.CLOSED, resolution=Resolution.REFUNDED,
                          due_at__isnull=True).count() == TICKETS
    assert tickets.values("refund").distinct().count() == TICKETS
    done = AuditEvent.objects.filter(action="ticket.processed")
    assert done.count() == done.values("subject").distinct().count() == TICKETS

    # Every refund paid once, through the provider's idempotency key.
    assert Refund.objects.count() == TICKETS
    assert Refund.objects.filter(status=RefundStatus.SUCCEEDED).count() == TICKETS
    assert not Refund.objects.values("order").annotate(n=Count("id")).filter(n__gt=1).exists()
    parts = RefundPart.objects.select_related("refund")
    assert parts.count() == TICKETS and not parts.filter(succeeded_at__isnull=True).exists()
    assert all(p.provider_refund_id == f"manual-{p.idempotency_key}" for p in parts)
    paid = Payment.objects.aggregate(amount=Sum("amount"), refunded=Sum("refunded_amount"))
    refunded = Refund.objects.aggregate(amount=Sum("amount"))["amount"]
    assert paid["amount"] == paid["refunded"] == refunded == TICKETS * 4000
    assert not Payment.objects.exclude(refunded_amount=F("amount")).exists()
    assert not Payment.objects.exclude(status=PaymentStatus.REFUNDED).exists()
    assert not Order.objects.exclude(status=OrderStatus.REFUNDED).exists()
    assert not Entry.objects.exclude(status=EntryStatus.VOID).exists()

    # No e-mail lost. A second copy is possible only for a message a killed worker was
    # sending (the SMTP server may have accepted it before the "sent" mark was saved; at
    # most two per worker: its task and its sweep), and it carries the same Message-ID,
    # so mail clients show it once.
    expected = set(Notification.objects.filter(kind="refund_confirmation")
                   .values_list("message_id", flat=True))
    received = Counter(m["Message-ID"] for m in smtp.messages
                       if m["X-Postsale-Kind"] == "refund_confirmation")
    assert len(expected) == CONFIRMATIONS and set(received) == expected
    assert sum(received.values()) - CONFIRMATIONS <= 2 * WORKERS, received.most_common(5)
    print(f"\n{TICKETS} tickets; killed after {at_kill[0]} processed, {at_kill[1]} refunded, "
          f"holding {at_kill[2]} refund(s) and {at_kill[3]} e-mail(s); "
          f"{sum(received.values()) - CONFIRMATIONS} duplicate e-mail(s); {elapsed:.0f} s")
