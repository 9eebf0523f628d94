"""The automatic steps of tickets run by the sweep (SPEC §4.1, §4.2): refund processing,
inactivity warnings and closing, on the seller's calendar (Europe/Warsaw, Polish
holidays), with the clock moved by time-machine as `postsale sweep` would see it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from postsale.core.errors import DomainError
from postsale.core.models import AuditEvent
from postsale.core.periodic import run_sweep
from postsale.core.tests.helpers import row_locked_elsewhere
from postsale.notifications.models import Notification
from postsale.orders.models import EntryStatus, OrderStatus
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.models import Refund, RefundStatus
from postsale.tickets.models import Resolution, Side, Step, Ticket, TicketStatus, TicketType
from postsale.tickets.operator import seller_abuse_flag
from postsale.tickets.selectors import review_list
from postsale.tickets.services import (
    ticket_change_type,
    ticket_close,
    ticket_reply,
    ticket_return_decide,
)
from postsale.tickets.tests.factories import AGENT, CUSTOMER, open_ticket
from postsale.tickets.timers import ticket_process_due, tickets_sweep

WAW = ZoneInfo("Europe/Warsaw")
SECOND = timedelta(seconds=1)


def waw(*args):
    return datetime(*args, tzinfo=WAW)


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """sweep(at): run every periodic job once with the clock at `at`, as `postsale sweep`
    would, e-mails and refund tasks included; returns how many tickets it processed."""
    def run(at: datetime) -> int:
        with (time_machine.travel(at, tick=False),
              django_capture_on_commit_callbacks(execute=True)):
            return run_sweep()["tickets"]
    return run


@pytest.fixture
def order_paid_at(seller):
    """order_paid_at(t): a paid order (two entries at 40.00, manual payment) bought at t."""
    product = make_product(seller, price=4000)

    def make(at: datetime):
        with time_machine.travel(at, tick=False):
            return make_order(seller, product, quantity=2, paid=True)
    return make


def ticket_mail(ticket, kind):
    return sorted(m.to[0] for m in mail.outbox if m.extra_headers.get("X-Postsale-Kind")
                  == kind and ticket.number in m.subject)


def both_sides(order):
    return sorted([order.email, order.seller.reply_to_email])


def audits(ticket, action):
    return AuditEvent.objects.filter(subject=f"ticket:{ticket.pk}", action=action).count()


def assert_refunded(ticket, order):
    ticket.refresh_from_db()
    order.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.resolution == Resolution.REFUNDED
    assert ticket.closed_by == Side.SYSTEM and ticket.due_at is None
    assert ticket.refund.status == RefundStatus.SUCCEEDED
    assert ticket.refund.amount == order.total and ticket.refund.reference == ticket.number
    assert order.status == OrderStatus.REFUNDED
    assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VOID}
    assert audits(ticket, "ticket.processed") == 1


# --- refund requests (SPEC §4.1) --------------------------------------------------------

@pytest.mark.parametrize(("opened", "processed"), [
    # SPEC §3 examples (2026-11-20 is a Friday).
    (waw(2026, 11, 20, 15), waw(2026, 11, 23, 15)),
    (waw(2026, 11, 21, 10), waw(2026, 11, 24, 0)),
    (waw(2026, 11, 18, 9), waw(2026, 11, 19, 9)),
    # Across the DST change of Sunday 2026-10-25: the same local hour.
    (waw(2026, 10, 23, 15), waw(2026, 10, 26, 15)),
    (waw(2026, 10, 24, 10), waw(2026, 10, 27, 0)),
    # Independence Day, Wednesday 2026-11-11, pauses the clock.
    (waw(2026, 11, 10, 15), waw(2026, 11, 12, 15)),
], ids=["friday", "saturday", "wednesday", "dst-friday", "dst-saturday", "holiday"])
def test_customer_refund_request_is_refunded_after_24_business_hours(
        opened, processed, order_paid_at, sweep):
    order = order_paid_at(opened - timedelta(days=3))
    ticket = open_ticket(order, type="refund", body="I cannot come.", now=opened)
    assert (ticket.due_step, ticket.due_at, ticket.process_at) == (
        Step.PROCESS, processed, processed)
    assert sweep(processed - SECOND) == 0
    mail.outbox.clear()
    assert sweep(processed) == 1
    assert_refunded(ticket, order)
    assert ticket.refund.succeeded_at == processed
    assert ticket_mail(ticket, "refund_confirmation") == both_sides(order)


def test_holidays_count_when_the_seller_turns_the_pause_off(seller, order_paid_at, sweep):
    seller.pause_on_holidays = False
    seller.save(update_fields=["pause_on_holidays"])
    order = order_paid_at(waw(2026, 11, 2, 12))
    ticket = open_ticket(order, type="refund", now=waw(2026, 11, 10, 15))
    assert ticket.due_at == waw(2026, 11, 11, 15)
    assert sweep(waw(2026, 11, 11, 15)) == 1
    assert_refunded(ticket, order)


def test_seller_opened_request_is_refunded_5_minutes_later_even_on_a_saturday(
        order_paid_at, sweep):
    opened = waw(2026, 11, 21, 10)
    order = order_paid_at(waw(2026, 11, 20, 12))
    ticket = open_ticket(order, type="refund", side=Side.SELLER, now=opened)
    assert ticket.due_at == opened + timedelta(minutes=5)
    assert sweep(opened + timedelta(minutes=5) - SECOND) == 0
    assert sweep(opened + timedelta(minutes=5)) == 1
    assert_refunded(ticket, order)


def test_seller_closing_their_request_within_5_minutes_aborts_it(order_paid_at, sweep):
    opened = waw(2026, 11, 21, 10)
    order = order_paid_at(waw(2026, 11, 20, 12))
    ticket = open_ticket(order, type="refund", side=Side.SELLER, now=opened)
    ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT, body="Wrong order, sorry.",
                 now=opened + timedelta(minutes=3))
    assert sweep(opened + timedelta(minutes=5)) == 0
    assert sweep(opened + timedelta(days=30)) == 0
    ticket.refresh_from_db()
    order.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.refund is None
    assert ticket.review_requested_at is None  # their own request: nothing to review
    assert not Refund.objects.filter(order=order).exists()
    assert order.status == OrderStatus.PAID


def test_abuse_flagged_sellers_requests_are_processed_at_once(
        seller, order_paid_at, sweep):
    waiting = open_ticket(order_paid_at(waw(2026, 11, 16, 9)), type="refund",
                          now=waw(2026, 11, 20, 15))
    flagged_at = waw(2026, 11, 20, 16)
    seller_abuse_flag(seller=seller, flagged=True, actor=AGENT, reason="Saves every sale",
                      now=flagged_at)
    seller.refresh_from_db()
    new = open_ticket(order_paid_at(waw(2026, 11, 16, 9)), type="refund",
                      now=waw(2026, 11, 21, 10))  # a Saturday, and no wait at all
    waiting.refresh_from_db()
    assert waiting.due_at == flagged_at and new.due_at == waw(2026, 11, 21, 10)
    assert sweep(flagged_at) == 1
    assert sweep(waw(2026, 11, 21, 10)) == 1
    assert_refunded(waiting, waiting.order)
    assert_refunded(new, new.order)


def test_replies_do_not_postpone_processing(order_paid_at, sweep):
    order = order_paid_at(waw(2026, 11, 16, 9))
    ticket = open_ticket(order, type="refund", now=waw(2026, 11, 20, 15))
    ticket_reply(ticket=ticket, side=Side.SELLER, body="Could we offer another date?",
                 actor=AGENT, now=waw(2026, 11, 23, 10))
    ticket_reply(ticket=ticket, side=Side.CUSTOMER, body="Let me think.", actor=CUSTOMER,
                 now=waw(2026, 11, 23, 14))
    ticket.refresh_from_db()
    assert (ticket.due_step, ticket.due_at) == (Step.PROCESS, waw(2026, 11, 23, 15))
    assert sweep(waw(2026, 11, 23, 15)) == 1
    assert_refunded(ticket, order)


def test_customer_changing_support_to_refund_is_processed_24_business_hours_later(
        order_paid_at, sweep):
    order = order_paid_at(waw(2026, 11, 16, 9))
    ticket = open_ticket(order, body="The PDF does not open.", now=waw(2026, 11, 19, 10))
    assert (ticket.due_step, ticket.due_at) == (Step.WARN, waw(2026, 11, 21, 10))
    ticket_change_type(ticket=ticket, type=TicketType.REFUND, side=Side.CUSTOMER,
                       actor=CUSTOMER, now=waw(2026, 11, 20, 15))
    ticket.refresh_from_db()
    assert (ticket.due_step, ticket.due_at) == (Step.PROCESS, waw(2026, 11, 23, 15))
    assert ticket.refund_amount == order.total
    assert sweep(waw(2026, 11, 21, 10)) == 0  # the support warning is gone
    assert sweep(waw(2026, 11, 23, 15) - SECOND) == 0
    assert sweep(waw(2026, 11, 23, 15)) == 1
    assert_refunded(ticket, order)


def test_seller_closing_a_customers_request_sends_it_to_review_and_refunds_nothing(
        order_paid_at, sweep):
    order = order_paid_at(waw(2026, 11, 16, 9))
    ticket = open_ticket(order, type="refund", now=waw(2026, 11, 20, 15))
    ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT,
                 body="We exchanged your entries instead.", now=waw(2026, 11, 23, 9))
    assert sweep(waw(2026, 11, 23, 15)) == 0
    ticket.refresh_from_db()
    assert ticket.resolution == Resolution.SAVED and ticket.refund is None
    assert list(review_list()) == [ticket]
    assert not Refund.objects.filter(order=order).exists()


def test_seller_changing_a_customers_request_sends_it_to_review_and_refunds_nothing(
        order_paid_at, sweep):
    order = order_paid_at(waw(2026, 11, 16, 9))
    ticket = open_ticket(order, type="refund", now=waw(2026, 11, 20, 15))
    ticket_change_type(ticket=ticket, type=TicketType.SUPPORT, side=Side.SELLER,
                       actor=AGENT, now=waw(2026, 11, 23, 9))
    assert sweep(waw(2026, 11, 23, 15)) == 0
    ticket.refresh_from_db()
    assert ticket.type == TicketType.SUPPORT and not ticket.is_closed
    # Now a support ticket waiting on the customer, with the inactivity timers.
    assert (ticket.due_step, ticket.due_at) == (Step.WARN, waw(2026, 12, 2, 9))
    assert list(review_list()) == [ticket]
    assert not Refund.objects.filter(order=order).exists()


def test_customer_closing_their_own_request_withdraws_it_without_review(
        order_paid_at, sweep):
    order = order_paid_at(waw(2026, 11, 16, 9))
    ticket = open_ticket(order, type="refund", now=waw(2026, 11, 20, 15))
    ticket_close(ticket=ticket, side=Side.CUSTOMER, actor=CUSTOMER,
                 body="Found a babysitter after all.", now=waw(2026, 11, 22, 20))
    assert sweep(waw(2026, 11, 23, 15)) == 0
    ticket.refresh_from_db()
    assert ticket.resolution == Resolution.WITHDRAWN and ticket.review_requested_at is None
    assert list(review_list()) == []
    assert not Refund.objects.filter(order=order).exists()


def test_refund_is_kept_when_the_60_day_window_closes_while_waiting(order_paid_at, sweep):
    paid_at = waw(2026, 9, 21, 10)  # CEST; 60 × 24 h later is 20 November, 09:00 CET
    order = order_paid_at(paid_at)
    ticket = open_ticket(order, type="refund", now=waw(2026, 11, 20, 8))  # with 1 h left
    assert ticket.refund_amount == order.total
    processed = waw(2026, 11, 23, 8)
    # Asked now, the same request would be refused...
    with pytest.raises(DomainError) as refused:
        open_ticket(order_paid_at(paid_at), type="refund", now=processed)
    assert refused.value.code == "not_refundable"
    # ...but waiting to save the sale never costs the customer their refund.
    assert sweep(processed) == 1
    assert_refunded(ticket, order)


# --- inactivity (SPEC §4.2) -------------------------------------------------------------

def walk(ticket, steps, sweep):
    """Check each (step, due time) in turn: nothing a second early, that step on time."""
    for step, due in steps:
        ticket.refresh_from_db()
        assert (ticket.due_step, ticket.due_at) == (step, due)
        assert sweep(due - SECOND) == 0
        assert sweep(due) == 1
    ticket.refresh_from_db()


@pytest.mark.parametrize(("opened", "warn1", "warn2", "close", "pause"), [
    # Monday: +144 h is Sunday 10:00, so the ticket is closed on Monday at 00:00.
    (waw(2026, 11, 16, 10), waw(2026, 11, 18, 10), waw(2026, 11, 20, 10),
     waw(2026, 11, 23, 0), True),
    # Friday before the DST change: +48 h is Sunday 15:00 CET, the same local hour.
    (waw(2026, 10, 23, 15), waw(2026, 10, 25, 15), waw(2026, 10, 27, 15),
     waw(2026, 10, 29, 15), True),
    # Thursday: +144 h is Wednesday 11 November, a holiday: closed Thursday 00:00…
    (waw(2026, 11, 5, 9), waw(2026, 11, 7, 9), waw(2026, 11, 9, 9),
     waw(2026, 11, 12, 0), True),
    # …unless holidays do not pause the seller's clock.
    (waw(2026, 11, 5, 9), waw(2026, 11, 7, 9), waw(2026, 11, 9, 9),
     waw(2026, 11, 11, 9), False),
], ids=["sunday-close", "dst", "holiday", "holiday-no-pause"])
def test_support_ticket_waiting_on_seller_is_warned_twice_then_closed(
        opened, warn1, warn2, close, pause, seller, order_paid_at, sweep):
    seller.pause_on_holidays = pause
    seller.save(update_fields=["pause_on_holidays"])
    order = order_paid_at(opened - timedelta(days=1))
    ticket = open_ticket(order, body="The QR code does not scan.", now=opened)
    mail.outbox.clear()
    walk(ticket, [(Step.WARN, warn1), (Step.WARN, warn2), (Step.CLOSE, close)], sweep)
    assert ticket.status == TicketStatus.CLOSED and ticket.resolution == Resolution.INACTIVE
    assert ticket.closed_by == Side.SYSTEM and ticket.warnings_sent == 2
    assert ticket_mail(ticket, "ticket_inactivity") == sorted(both_sides(order) * 2)
    assert ticket_mail(ticket, "ticket_closed") == both_sides(order)
    assert sweep(close + timedelta(days=30)) == 0


def test_warning_to_the_customer_offers_a_refund_while_the_order_is_refundable(
        order_paid_at, sweep):
    order = order_paid_at(waw(2026, 11, 13, 9))
    ticket = open_ticket(order, now=waw(2026, 11, 16, 10))
    mail.outbox.clear()
    sweep(waw(2026, 11, 18, 10))
    warnings = [m for m in mail.outbox
                if m.extra_headers["X-Postsale-Kind"] == "ticket_inactivity"]
    customer = next(m for m in warnings if m.to == [order.email])
    seller_copy = next(m for m in warnings if m.to != [order.email])
    assert f"/tickets/{ticket.number}/?change=refund" in customer.body
    assert "change=refund" not in seller_copy.body

    late = open_ticket(order_paid_at(waw(2026, 9, 1, 9)), now=waw(2026, 11, 16, 10))
    mail.outbox.clear()
    sweep(waw(2026, 11, 18, 10))  # 78 days after the sale: no longer refundable
    assert ticket_mail(late, "ticket_inactivity")
    assert not any("change=refund" in m.body for m in mail.outbox)


@pytest.mark.parametrize(("replied", "warn", "close"), [
    # Friday 15:00 + 7 business days → Tuesday 1 December; + 14 → Thursday 10 December.
    (waw(2026, 11, 20, 15), waw(2026, 12, 1, 15), waw(2026, 12, 10, 15)),
    # Across Independence Day (Wednesday 11 November): one day later.
    (waw(2026, 11, 9, 12), waw(2026, 11, 19, 12), waw(2026, 11, 30, 12)),
    # Across the DST change: the same local hour.
    (waw(2026, 10, 20, 11), waw(2026, 10, 29, 11), waw(2026, 11, 9, 11)),
], ids=["weekends", "holiday", "dst"])
def test_support_ticket_waiting_on_customer_is_warned_then_closed(
        replied, warn, close, order_paid_at, sweep):
    order = order_paid_at(replied - timedelta(days=3))
    ticket = open_ticket(order, now=replied - timedelta(hours=2))
    ticket_reply(ticket=ticket, side=Side.SELLER, body="Try another browser, please.",
                 actor=AGENT, now=replied)
    mail.outbox.clear()
    walk(ticket, [(Step.WARN, warn), (Step.CLOSE, close)], sweep)
    assert ticket.resolution == Resolution.INACTIVE and ticket.waiting_on == Side.CUSTOMER
    assert ticket_mail(ticket, "ticket_inactivity") == both_sides(order)
    assert ticket_mail(ticket, "ticket_closed") == both_sides(order)


def test_a_public_reply_restarts_the_timers_from_the_new_side(order_paid_at, sweep):
    order = order_paid_at(waw(2026, 11, 13, 9))
    ticket = open_ticket(order, now=waw(2026, 11, 16, 10))
    ticket_reply(ticket=ticket, side=Side.SELLER, body="Which browser?", actor=AGENT,
                 now=waw(2026, 11, 17, 10))
    walk(ticket, [(Step.WARN, waw(2026, 11, 26, 10))], sweep)
    assert ticket.warnings_sent == 1
    ticket_reply(ticket=ticket, side=Side.CUSTOMER, body="Firefox.", actor=CUSTOMER,
                 now=waw(2026, 11, 27, 8))
    ticket.refresh_from_db()
    assert ticket.warnings_sent == 0  # the customer's warning does not count any more
    walk(ticket, [(Step.WARN, waw(2026, 11, 29, 8)), (Step.WARN, waw(2026, 12, 1, 8)),
                  (Step.CLOSE, waw(2026, 12, 3, 8))], sweep)
    assert ticket.resolution == Resolution.INACTIVE


@pytest.mark.parametrize("type", [TicketType.RETURN, TicketType.EXCHANGE])
def test_returns_and_exchanges_are_warned_but_closed_only_waiting_on_the_customer(
        type, order_paid_at, sweep):
    order = order_paid_at(waw(2026, 11, 13, 9))
    ticket = open_ticket(order, type=type, body="One of the items is broken.",
                         now=waw(2026, 11, 16, 10))
    walk(ticket, [(Step.WARN, waw(2026, 11, 18, 10)), (Step.WARN, waw(2026, 11, 20, 10))],
         sweep)
    assert (ticket.due_step, ticket.due_at) == ("", None)
    assert sweep(waw(2026, 11, 23, 0)) == 0 and sweep(waw(2027, 1, 1)) == 0
    ticket.refresh_from_db()
    assert not ticket.is_closed and ticket.warnings_sent == 2

    answered = waw(2027, 1, 4, 9)  # Monday; 6 January (Wednesday) is a holiday
    if type == TicketType.RETURN:
        ticket_return_decide(ticket=ticket, status=TicketStatus.IN_REVIEW, actor=AGENT,
                             body="Please send us a photo.", now=answered)
    else:
        ticket_reply(ticket=ticket, side=Side.SELLER, body="Which date suits you?",
                     actor=AGENT, now=answered)
    walk(ticket, [(Step.WARN, waw(2027, 1, 14, 9)), (Step.CLOSE, waw(2027, 1, 25, 9))],
         sweep)
    assert ticket.status == TicketStatus.CLOSED and ticket.resolution == Resolution.INACTIVE


# --- the sweep: idempotent, and safe with stale or locked rows ----------------------------

def test_running_the_sweep_twice_does_nothing_more(order_paid_at, sweep):
    close = open_ticket(order_paid_at(waw(2026, 11, 10, 9)), now=waw(2026, 11, 13, 15))
    assert sweep(waw(2026, 11, 15, 15)) == 1 and sweep(waw(2026, 11, 17, 15)) == 1
    refund = open_ticket(order_paid_at(waw(2026, 11, 13, 9)), type="refund",
                         now=waw(2026, 11, 20, 15))
    warn = open_ticket(order_paid_at(waw(2026, 11, 13, 9)), now=waw(2026, 11, 21, 15))
    at = waw(2026, 11, 23, 15)  # all three are due: processing, a warning, the close
    mail.outbox.clear()
    assert sweep(at) == 3
    numbers = (refund.number, warn.number, close.number)
    # (The "opened" mails queued before go out with this sweep too: not its own work.)
    kinds = sorted(m.extra_headers["X-Postsale-Kind"] for m in mail.outbox
                   if any(n in m.subject for n in numbers)
                   and m.extra_headers["X-Postsale-Kind"] != "ticket_opened")
    assert kinds == ["refund_confirmation"] * 2 + ["ticket_closed"] * 2 + [
        "ticket_inactivity"] * 2
    counts = (Refund.objects.count(), AuditEvent.objects.count(),
              Notification.objects.count(), len(mail.outbox))
    assert sweep(at) == 0
    assert sweep(at + timedelta(minutes=1)) == 0
    assert (Refund.objects.count(), AuditEvent.objects.count(),
            Notification.objects.count(), len(mail.outbox)) == counts
    for ticket in (refund, warn, close):
        ticket.refresh_from_db()
    assert refund.resolution == Resolution.REFUNDED and close.resolution == Resolution.INACTIVE
    assert warn.warnings_sent == 1 and warn.due_at == waw(2026, 11, 25, 15)


def test_processing_a_ticket_whose_due_time_moved_does_nothing(order_paid_at):
    ticket = open_ticket(order_paid_at(waw(2026, 11, 13, 9)), now=waw(2026, 11, 16, 10))
    first_warning = ticket.due_at
    ticket_reply(ticket=ticket, side=Side.CUSTOMER, body="Any news?", actor=CUSTOMER,
                 now=waw(2026, 11, 17, 10))
    # A worker that read the old due time before the reply now gets to the row.
    assert ticket_process_due(ticket_id=ticket.pk, now=first_warning) is None
    ticket.refresh_from_db()
    assert ticket.warnings_sent == 0 and ticket.due_at == waw(2026, 11, 19, 10)
    assert audits(ticket, "ticket.inactivity_warning") == 0


def test_processing_a_request_closed_after_it_was_read_as_due_does_nothing(order_paid_at):
    order = order_paid_at(waw(2026, 11, 13, 9))
    ticket = open_ticket(order, type="refund", now=waw(2026, 11, 20, 15))
    due = ticket.due_at
    ticket_close(ticket=ticket, side=Side.CUSTOMER, actor=CUSTOMER, now=due - SECOND)
    with time_machine.travel(due, tick=False):
        assert ticket_process_due(ticket_id=ticket.pk, now=due) is None
        assert tickets_sweep(now=due) == 0
    assert not Refund.objects.filter(order=order).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_a_ticket_another_worker_holds(order_paid_at):
    order = order_paid_at(waw(2026, 11, 13, 9))
    ticket = open_ticket(order, now=waw(2026, 11, 16, 10))
    due = ticket.due_at
    with row_locked_elsewhere(Ticket.objects.filter(pk=ticket.pk)):
        assert tickets_sweep(now=due) == 0  # no waiting on the lock
    assert tickets_sweep(now=due) == 1
    assert tickets_sweep(now=due) == 0
    ticket.refresh_from_db()
    assert ticket.warnings_sent == 1
