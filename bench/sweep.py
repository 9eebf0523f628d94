"""Times the ticket sweep (the "tickets" periodic job) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postsale_bench \\
        uv run --frozen python bench/sweep.py [--support 2000] [--refunds 1000] \\
        [--idle 1000000] [--runs 11]

Drops and recreates the database named in DATABASE_URL, then measures:
(a) due tickets processed per second by `tickets_sweep`: support tickets whose first
    inactivity warning is due (two e-mails rendered and queued each), and customer refund
    requests whose processing is due (ticket closed, refund reserved and queued; the sweep
    then sends up to 100 of those refunds itself); then the other refunds
    (`refund_process`, what the worker's task runs: manual provider, entries voided,
    confirmation e-mails queued);
(b) the cost of a sweep with nothing due among IDLE tickets, generated with INSERT …
    SELECT generate_series (90 % closed, 10 % open with a due time in the coming two
    weeks): EXPLAIN (ANALYZE) of the sweep's query, and the median time of
    `tickets_sweep` and of the whole `run_sweep` over RUNS runs.
Tickets for (a) are bulk copies of one made through the services
(postsale/tickets/tests/bulk.py). E-mails are queued as in production (outbox rows and
database tasks), not sent."""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "false"  # no query log kept in memory
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Nothing is sent: e-mails stay queued in the outbox (and never reach a mail server here).
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"


def recreate_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


IDLE_TICKETS = """
INSERT INTO tickets_ticket (
    seller_id, order_id, number, type, status, resolution, subject, opened_by, channel,
    last_actor, last_public_at, warnings_sent, created_at, updated_at, closed_at, closed_by,
    refund_reasons, return_kind, return_lines, contact_email, contact_phone, due_at,
    due_step, review_reason)
SELECT %(seller)s, (%(orders)s::bigint[])[1 + i %% cardinality(%(orders)s::bigint[])],
       'TCK-I' || lpad(to_hex(i), 7, '0'), 'support',
       CASE WHEN i %% 10 = 0 THEN 'open' ELSE 'closed' END,
       CASE WHEN i %% 10 = 0 THEN '' ELSE 'solved' END,
       'Question', 'customer', 'portal', 'seller',
       %(now)s - interval '1 day', 0,
       %(now)s - (i %% 700) * interval '1 hour', %(now)s - interval '1 day',
       CASE WHEN i %% 10 = 0 THEN NULL ELSE %(now)s - interval '1 day' END,
       CASE WHEN i %% 10 = 0 THEN '' ELSE 'seller' END,
       '[]', '', '[]', '', '',
       CASE WHEN i %% 10 = 0 THEN %(now)s + (1 + i %% 336) * interval '1 hour' END,
       CASE WHEN i %% 10 = 0 THEN 'warn' ELSE '' END, ''
FROM generate_series(1, %(count)s) AS i
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--support", type=int, default=2000)
    parser.add_argument("--refunds", type=int, default=1000)
    parser.add_argument("--idle", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is dropped and recreated).")
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from postsale.core import clock
    from postsale.core.periodic import run_sweep
    from postsale.notifications.models import Notification, NotificationStatus
    from postsale.orders.models import Order
    from postsale.payments.models import Refund, RefundStatus
    from postsale.payments.refunds import refund_process
    from postsale.sellers.tests.factories import make_seller
    from postsale.tickets.models import Ticket
    from postsale.tickets.tests import bulk
    from postsale.tickets.timers import tickets_sweep

    call_command("migrate", verbosity=0)
    seller = make_seller(slug="bench", name="Bench Events")
    now = clock.now()
    print(f"PostgreSQL {connection.pg_version // 10000}, database {connection.settings_dict['NAME']}")

    # (a) Due tickets processed per second.
    _, took = timed(lambda: bulk.support_tickets(seller, args.support,
                                                 opened=now - timedelta(hours=50)))
    print(f"setup: {args.support} support tickets in {took:.1f} s")
    done, took = timed(lambda: tickets_sweep(now=clock.now()))
    assert done == args.support, done
    assert Ticket.objects.filter(warnings_sent=1).count() == args.support
    print(f"(a) inactivity warnings: {done} tickets in {took:.1f} s = {done / took:.0f}/s")

    _, took = timed(lambda: bulk.refund_requests(seller, args.refunds,
                                                 opened=now - timedelta(days=7)))
    print(f"setup: {args.refunds} refund requests in {took:.1f} s")
    done, took = timed(lambda: tickets_sweep(now=clock.now()))
    assert done == args.refunds, done
    by_sweep = Refund.objects.filter(status=RefundStatus.SUCCEEDED).count()
    print(f"(a) refund requests processed: {done} tickets in {took:.1f} s = {done / took:.0f}/s"
          f" (of which sending the first {by_sweep} refunds: the sweep sends up to 100 itself)")
    due = list(Refund.objects.filter(status=RefundStatus.REQUESTED).values_list("pk", flat=True))
    results, took = timed(lambda: [refund_process(refund_id=pk) for pk in due])
    assert results.count(RefundStatus.SUCCEEDED) == len(due) == args.refunds - by_sweep
    print(f"(a) the other refunds sent (refund_process, as the worker's task): {len(due)} in "
          f"{took:.1f} s = {len(due) / took:.0f}/s")

    # (b) A sweep with nothing due among many tickets. The outbox is emptied first (the
    # e-mails of (a) marked sent), so the other periodic jobs have nothing to do either.
    Notification.objects.filter(status=NotificationStatus.QUEUED).update(
        status=NotificationStatus.SENT, next_attempt_at=None)
    orders = list(Order.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        _, took = timed(lambda: cursor.execute(IDLE_TICKETS, {
            "seller": seller.pk, "orders": orders, "now": now, "count": args.idle}))
        cursor.execute("ANALYZE tickets_ticket")
    total = Ticket.objects.count()
    with_due = Ticket.objects.filter(due_at__isnull=False).count()
    print(f"setup: {args.idle:,} more tickets (INSERT … SELECT generate_series) in {took:.1f} s;"
          f" {total:,} in all, {with_due:,} with a due time, none due now")
    sweep_query = (Ticket.objects.filter(due_at__lte=clock.now()).order_by("due_at")
                   .values_list("pk", flat=True)[:200])
    plan = sweep_query.explain(analyze=True)
    print("(b) EXPLAIN (ANALYZE) of the sweep's query:")
    print("    " + "\n    ".join(plan.splitlines()))
    assert "ticket_due_idx" in plan and "Seq Scan" not in plan, plan

    def median_ms(fn) -> float:
        fn()  # warm up
        times = [timed(fn)[1] for _ in range(args.runs)]
        return statistics.median(times) * 1000

    ms = median_ms(lambda: tickets_sweep(now=clock.now()))
    print(f"(b) tickets_sweep, nothing due: median {ms:.2f} ms over {args.runs} runs")
    ms = median_ms(run_sweep)
    print(f"(b) run_sweep (every periodic job), nothing due: median {ms:.2f} ms "
          f"over {args.runs} runs")


if __name__ == "__main__":
    main()
