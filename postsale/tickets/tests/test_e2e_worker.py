"""End to end, as deployed: the worker is its own process (tasks only), `postsale sweep` is
run as cron would run it, and mail goes to a real SMTP server. A customer's refund request
is announced to both sides, not processed before its due time, then refunded through the
`manual` provider, closed, and confirmed to both sides."""

import json
import time

import pytest

from postsale.core.tests.helpers import sqlite_copy
from postsale.notifications.tests.smtp import SmtpSink
from postsale.tickets.tests.processes import (
    database_url,
    postsale,
    process_env,
    shell,
    start_worker,
    stop,
    sweep_at,
    wait_until,
)

# The customer asked a week ago (so the due time has passed in real time, whatever the
# weekday), for an order paid the day before.
OPEN_REFUND = """
from datetime import timedelta
from postsale.core import clock
from postsale.core.audit import SYSTEM
from postsale.orders.tests.factories import make_product, order_draft
from postsale.payments.services import order_submit
from postsale.sellers.tests.factories import make_seller
from postsale.tickets.tests.factories import open_ticket
seller = make_seller(slug="acme", name="Acme Events", support_email="help@acme.example")
opened = clock.now() - timedelta(days=7)
draft = order_draft(make_product(seller, price=4000), quantity=2, paid=True,
                    email="anna@example.com")
order, _ = order_submit(seller=seller, draft=draft, actor=SYSTEM, source="test",
                        now=opened - timedelta(days=1))
ticket = open_ticket(order, type="refund", body="I cannot come.", now=opened)
print("TICKET", ticket.number, order.number, ticket.due_at.timestamp())
"""

STATE = """
import json
from postsale.tickets.models import Ticket
t = Ticket.objects.select_related("refund", "order").get(number="{number}")
parts = list(t.refund.parts.values_list("provider_refund_id", flat=True)) if t.refund else []
print("STATE", json.dumps({{"status": t.status, "resolution": t.resolution,
    "refund": t.refund.status if t.refund else None,
    "amount": t.refund.amount if t.refund else None, "total": t.order.total,
    "order": t.order.status, "parts": parts, "due_at": str(t.due_at)}}))
"""

CUSTOMER, SELLER = "anna@example.com", "help@acme.example"


@pytest.fixture
def deployment(transactional_db, tmp_path, request):
    """(env, smtp, log): a running SMTP server and the environment of postsale's
    processes; the caller starts the worker."""
    smtp = SmtpSink().start()
    env = process_env(database_url(tmp_path), smtp, tmp_path)
    if env["DATABASE_URL"].startswith("sqlite"):
        sqlite_copy(request.getfixturevalue("migrated_sqlite"), tmp_path / "postsale.sqlite3")
    yield env, smtp, tmp_path / "worker.log"
    smtp.stop()


def subjects_with(smtp: SmtpSink, *words: str) -> list[tuple[str, str]]:
    """(recipient, decoded subject) of received mail whose subject has every word. Spaces
    are normalized: Python's header folding can leave two where a long subject is folded
    before an encoded word (the en dash)."""
    received = [(m["To"], " ".join(str(m["Subject"]).split())) for m in smtp.messages]
    return sorted((to, s) for to, s in received if all(w in s for w in words))


def test_refund_request_is_announced_processed_by_the_sweep_and_confirmed(deployment):
    env, smtp, log = deployment
    worker = start_worker(env, log, "--no-sweep", "--interval", "0.2")
    try:
        ticket, order, due = shell(OPEN_REFUND, env=env)["TICKET"].split()
        due = float(due)
        assert due < time.time()

        opened = wait_until(lambda: len(subjects_with(smtp, ticket, "opened")) == 2
                            and subjects_with(smtp, ticket, "opened"), timeout=60,
                            what="the 'opened' mails", log=log)
        assert opened == [
            (CUSTOMER, f"[{ticket}] Ticket opened – order {order}"),
            (SELLER, f"[{ticket}] Ticket opened – order {order}")]
        raw = next(r.raw for r in smtp.received if ticket in str(r.message["Subject"]))
        assert b"=?utf-8?" in raw  # the en dash travels MIME-encoded

        # A minute before the due time the sweep leaves the request alone…
        out = sweep_at(due - 60, env=env)
        assert "tickets: 0 processed" in out.splitlines(), out

        # …and once it has passed, the next sweep processes it: the ticket is closed and
        # the refund goes through the manual provider (sent by the sweep itself, or by the
        # worker's task); the worker delivers the confirmations.
        out = postsale("sweep", env=env)
        assert "tickets: 1 processed" in out.splitlines(), out
        confirmations = wait_until(
            lambda: len(subjects_with(smtp, ticket, "Refund")) == 2
            and subjects_with(smtp, ticket, "Refund"), timeout=60,
            what="the refund confirmations", log=log)
        assert [to for to, _ in confirmations] == [CUSTOMER, SELLER]
        assert all(s.startswith(f"[{ticket}] Refund RFD-") and
                   s.endswith(f" for order {order} – Acme Events") for _, s in confirmations)
        assert worker.poll() is None, log.read_text()
    finally:
        stop(worker)

    state = json.loads(shell(STATE.format(number=ticket), env=env)["STATE"])
    assert state["status"] == "closed" and state["resolution"] == "refunded"
    assert state["refund"] == "succeeded" and state["amount"] == state["total"] == 8000
    assert state["order"] == "refunded" and state["due_at"] == "None"
    assert [p.startswith("manual-RFD-") for p in state["parts"]] == [True]
    # Nothing was sent twice (receipt, entries, opened ×2, confirmations ×2).
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)) == 6
