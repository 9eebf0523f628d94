from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from postsale.core.periodic import run_sweep
from postsale.orders.models import OrderStatus
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.models import RefundStatus
from postsale.tickets.models import Resolution, Step, TicketStatus
from postsale.tickets.tests.factories import open_ticket

WAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def paid(seller):
    return make_order(seller, make_product(seller, price=4000), quantity=2, paid=True)


def test_customer_refund_ticket_is_processed_after_24_business_hours(
        paid, django_capture_on_commit_callbacks):
    opened = datetime(2026, 11, 20, 15, 0, tzinfo=WAW)  # a Friday
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(paid, type="refund", body="I cannot come.", now=opened)
    assert ticket.due_step == Step.PROCESS
    assert ticket.due_at == datetime(2026, 11, 23, 15, 0, tzinfo=WAW)
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2 and all(ticket.number in s and paid.number in s for s in subjects)
    assert run_sweep(now=ticket.due_at - timedelta(seconds=1))["tickets"] == 0
    mail.outbox.clear()
    with (time_machine.travel(ticket.due_at, tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        assert run_sweep()["tickets"] == 1
    ticket.refresh_from_db()
    paid.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.resolution == Resolution.REFUNDED
    assert ticket.refund.status == RefundStatus.SUCCEEDED
    assert paid.status == OrderStatus.REFUNDED
    assert len(mail.outbox) == 2 and all(ticket.number in m.subject for m in mail.outbox)
    print(mail.outbox[0].subject)
    print(mail.outbox[0].body)
