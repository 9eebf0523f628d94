from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from postsale.core.errors import Conflict, DomainError, Invalid
from postsale.core.models import AuditEvent
from postsale.orders.tests.factories import make_order, make_product
from postsale.tickets.models import (
    Message,
    Resolution,
    Side,
    Step,
    Ticket,
    TicketStatus,
    TicketType,
)
from postsale.tickets.operator import seller_abuse_flag, ticket_review_done
from postsale.tickets.services import (
    ReturnDetails,
    ticket_change_type,
    ticket_close,
    ticket_reply,
    ticket_return_decide,
)
from postsale.tickets.tests.factories import AGENT, CUSTOMER, open_ticket

WAW = ZoneInfo("Europe/Warsaw")
MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=WAW)


@pytest.fixture
def paid(seller):
    return make_order(seller, make_product(seller, price=4000), quantity=2, paid=True)


def audits(ticket, action):
    return AuditEvent.objects.filter(subject=f"ticket:{ticket.pk}", action=action).count()


def test_every_public_action_mails_both_sides_and_notes_mail_nobody(
        paid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(paid, now=MONDAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, side=Side.SELLER, body="Only for us", actor=AGENT,
                     internal=True, now=MONDAY + timedelta(minutes=1))
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, side=Side.SELLER, body="Here you go", actor=AGENT,
                     now=MONDAY + timedelta(minutes=2))
    assert sorted(m.to[0] for m in mail.outbox) == [paid.email, paid.seller.account_email]
    customer_copy = next(m for m in mail.outbox if m.to == [paid.email])
    assert "Only for us" not in customer_copy.body and "Here you go" in customer_copy.body
    assert customer_copy.subject.startswith(f"[{ticket.number}]")
    assert paid.number in customer_copy.subject


def test_reply_restarts_inactivity_and_switches_who_it_waits_on(paid):
    ticket = open_ticket(paid, now=MONDAY)
    assert (ticket.due_step, ticket.due_at) == (Step.WARN, MONDAY + timedelta(hours=48))
    ticket_reply(ticket=ticket, side=Side.SELLER, body="Answer", actor=AGENT,
                 now=MONDAY + timedelta(hours=1))
    ticket.refresh_from_db()
    assert ticket.waiting_on == Side.CUSTOMER
    # 7 business days after Monday 11:00 → Wednesday of the next week, 11:00
    assert ticket.due_at == datetime(2026, 11, 25, 11, 0, tzinfo=WAW)


def test_internal_note_by_customer_is_refused(paid):
    ticket = open_ticket(paid, now=MONDAY)
    with pytest.raises(DomainError):
        ticket_reply(ticket=ticket, side=Side.CUSTOMER, body="x", actor=CUSTOMER,
                     internal=True)


def test_empty_and_huge_messages_are_refused_and_nothing_is_stored(paid):
    with pytest.raises(Invalid):
        open_ticket(paid, body="   ")
    with pytest.raises(Invalid):
        open_ticket(paid, body="x" * 20_001)
    assert not Ticket.objects.exists()


def test_customer_reply_to_a_recently_closed_ticket_reopens_it(paid):
    ticket = open_ticket(paid, now=MONDAY)
    ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT, now=MONDAY + timedelta(hours=1))
    ticket_reply(ticket=ticket, side=Side.CUSTOMER, body="Still broken", actor=CUSTOMER,
                 now=MONDAY + timedelta(days=2))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.resolution == ""
    assert audits(ticket, "ticket.reopened") == 1


def test_customer_reply_long_after_closing_opens_a_linked_ticket(paid):
    ticket = open_ticket(paid, now=MONDAY)
    ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT, now=MONDAY)
    message = ticket_reply(ticket=ticket, side=Side.CUSTOMER, body="Again", actor=CUSTOMER,
                           now=MONDAY + timedelta(days=30))
    followup = message.ticket
    assert followup.pk != ticket.pk and followup.previous_id == ticket.pk
    ticket.refresh_from_db()
    assert ticket.is_closed


def test_seller_cannot_write_to_a_closed_ticket(paid):
    ticket = open_ticket(paid, now=MONDAY)
    ticket_close(ticket=ticket, side=Side.CUSTOMER, actor=CUSTOMER, now=MONDAY)
    with pytest.raises(Conflict):
        ticket_reply(ticket=ticket, side=Side.SELLER, body="Hello?", actor=AGENT)
    with pytest.raises(Conflict):
        ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT)


def test_refund_request_fixes_amount_and_reasons_when_asked(paid):
    entry = paid.entries.first()
    ticket = open_ticket(paid, type="refund", keys=[f"entry:{entry.number}"], now=MONDAY)
    assert ticket.refund_amount == 4000 and ticket.refund_keys == [f"entry:{entry.number}"]
    assert ticket.process_at == MONDAY + timedelta(hours=24)


def test_second_open_refund_request_on_one_order_is_refused(paid):
    open_ticket(paid, type="refund", now=MONDAY)
    with pytest.raises(Conflict):
        open_ticket(paid, type="refund", now=MONDAY)
    assert Ticket.objects.count() == 1


def test_refund_request_for_unpaid_order_is_refused_with_advice(seller):
    order = make_order(seller)
    with pytest.raises(DomainError) as exc:
        open_ticket(order, type="refund")
    assert "support ticket" in exc.value.message
    assert not Ticket.objects.exists()


def test_cancellation_needs_an_active_subscription(paid):
    with pytest.raises(DomainError) as exc:
        open_ticket(paid, type="cancellation")
    assert exc.value.code == "no_subscription"


def test_seller_closing_a_customers_request_puts_it_on_the_review_list(paid):
    ticket = open_ticket(paid, type="refund", now=MONDAY)
    ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT, now=MONDAY + timedelta(hours=2))
    ticket.refresh_from_db()
    assert ticket.resolution == Resolution.SAVED and ticket.review_requested_at
    assert ticket.due_at is None
    ticket_review_done(ticket=ticket, actor=AGENT, note="Customer confirmed on the phone")
    ticket.refresh_from_db()
    assert ticket.reviewed_at is not None
    with pytest.raises(Conflict):
        ticket_review_done(ticket=ticket, actor=AGENT)


def test_seller_changing_a_customers_request_to_support_drops_processing_for_review(paid):
    ticket = open_ticket(paid, type="refund", now=MONDAY)
    ticket_change_type(ticket=ticket, type="support", side=Side.SELLER, actor=AGENT,
                       now=MONDAY + timedelta(hours=1))
    ticket.refresh_from_db()
    assert ticket.type == TicketType.SUPPORT and ticket.process_at is None
    assert ticket.due_step == Step.WARN and ticket.review_requested_at is not None
    assert Message.objects.filter(ticket=ticket, side=Side.SYSTEM).exists()


def test_customer_withdrawing_their_request_is_not_reviewed(paid):
    ticket = open_ticket(paid, type="refund", now=MONDAY)
    ticket_close(ticket=ticket, side=Side.CUSTOMER, actor=CUSTOMER, now=MONDAY)
    ticket.refresh_from_db()
    assert ticket.resolution == Resolution.WITHDRAWN and ticket.review_requested_at is None


def test_changing_to_the_same_type_or_an_unknown_one_is_refused(paid):
    ticket = open_ticket(paid, now=MONDAY)
    with pytest.raises(Conflict):
        ticket_change_type(ticket=ticket, type="support", side=Side.SELLER, actor=AGENT)
    with pytest.raises(Invalid):
        ticket_change_type(ticket=ticket, type="magic", side=Side.SELLER, actor=AGENT)


def test_abuse_flag_makes_waiting_requests_due_now_and_new_ones_immediate(paid, seller):
    ticket = open_ticket(paid, type="refund", now=MONDAY)
    seller_abuse_flag(seller=seller, flagged=True, actor=AGENT, reason="Closes every request",
                      now=MONDAY + timedelta(hours=1))
    ticket.refresh_from_db()
    assert ticket.due_at == MONDAY + timedelta(hours=1)
    other = make_order(seller, make_product(seller), paid=True)
    seller.refresh_from_db()
    later = open_ticket(other, type="refund", now=MONDAY + timedelta(hours=2))
    assert later.due_at == MONDAY + timedelta(hours=2)


def test_return_moves_new_in_review_accepted_and_the_decision_is_mailed(
        paid, django_capture_on_commit_callbacks):
    line = paid.lines.first()
    ticket = open_ticket(paid, type="return", now=MONDAY, details=ReturnDetails(
        kind="warranty", lines=[{"line": line.pk, "quantity": 1}],
        contact_email="anna@example.com", contact_phone="+48601234567"))
    assert ticket.status == TicketStatus.NEW and ticket.return_lines[0]["quantity"] == 1
    ticket_return_decide(ticket=ticket, status="in_review", actor=AGENT, now=MONDAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_return_decide(ticket=ticket, status="accepted", actor=AGENT,
                             body="We will send a new one.", now=MONDAY)
    assert len(mail.outbox) == 2
    assert all("Return decision" in m.subject for m in mail.outbox)
    assert "We will send a new one." in mail.outbox[0].body
    with pytest.raises(Conflict):
        ticket_return_decide(ticket=ticket, status="new", actor=AGENT)
    ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT, now=MONDAY)
    ticket.refresh_from_db()
    assert ticket.resolution == Resolution.ACCEPTED


def test_return_with_a_line_of_another_order_is_refused(paid, seller):
    other = make_order(seller, make_product(seller), paid=True)
    with pytest.raises(Invalid):
        open_ticket(paid, type="return", details=ReturnDetails(
            kind="missing", lines=[{"line": other.lines.first().pk, "quantity": 1}]))
    with pytest.raises(Invalid):
        open_ticket(paid, type="return", details=ReturnDetails(
            kind="missing", lines=[{"line": paid.lines.first().pk, "quantity": 99}]))
    assert not Ticket.objects.exists()


def test_every_change_is_audited(paid):
    ticket = open_ticket(paid, now=MONDAY)
    ticket_reply(ticket=ticket, side=Side.SELLER, body="a", actor=AGENT, now=MONDAY)
    ticket_change_type(ticket=ticket, type="refund", side=Side.CUSTOMER, actor=CUSTOMER,
                       now=MONDAY)
    ticket_close(ticket=ticket, side=Side.CUSTOMER, actor=CUSTOMER, now=MONDAY)
    for action in ("ticket.opened", "ticket.replied", "ticket.type_changed", "ticket.closed"):
        assert audits(ticket, action) == 1, action
