"""Ratings (CSAT): offered after a person closed a ticket the seller took part in, never
after the system closed it; one per ticket, changeable while the window is open."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import override_settings

from postsale.analytics.models import Rating
from postsale.analytics.rules import rating_offer
from postsale.analytics.services import rating_submit
from postsale.core.errors import Conflict, Invalid
from postsale.core.models import AuditEvent
from postsale.orders.tests.factories import make_order
from postsale.tickets.models import Side, Step, Ticket
from postsale.tickets.services import ticket_close, ticket_reply
from postsale.tickets.tests.factories import AGENT, CUSTOMER, open_ticket
from postsale.tickets.timers import ticket_process_due

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def offer(**facts):
    base = {"closed": True, "closed_by": "seller", "resolution": "solved",
            "seller_replied": True, "closed_at": NOW, "now": NOW + timedelta(days=1),
            "days": 30}
    return rating_offer(**base | facts)


@pytest.mark.parametrize(("facts", "allowed", "reason"), [
    ({}, True, ""),
    ({"closed_by": "customer", "resolution": "solved"}, True, ""),
    ({"closed_by": "customer", "resolution": "withdrawn"}, True, ""),
    ({"closed_by": "seller", "resolution": "saved", "seller_replied": False}, True, ""),
    ({"closed_by": "seller", "resolution": "accepted"}, True, ""),
    ({"closed_by": "customer", "seller_replied": False}, False, "not_invited"),
    ({"closed_by": "system", "resolution": "inactive"}, False, "not_invited"),
    ({"closed_by": "system", "resolution": "refunded"}, False, "not_invited"),
    ({"closed_by": "system", "resolution": "canceled"}, False, "not_invited"),
    ({"closed": False, "closed_at": None}, False, "open"),
    ({"now": NOW + timedelta(days=30, seconds=1)}, False, "too_late"),
])
def test_who_is_asked_to_rate(facts, allowed, reason):
    decision = offer(**facts)
    assert (decision.allowed, decision.reason) == (allowed, reason)


def test_the_offer_says_until_when():
    assert offer().until == NOW + timedelta(days=30)


@pytest.fixture
def helped(seller):
    """A support ticket the seller answered and then closed."""
    ticket = open_ticket(make_order(seller, paid=True), body="Where are my tickets?")
    ticket_reply(ticket=ticket, side=Side.SELLER, actor=AGENT, body="Sent again.")
    return ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT)


def test_the_customer_rates_and_changes_the_rating(helped):
    rating = rating_submit(ticket=helped, score=4, comment=" Quick. ", actor=CUSTOMER)
    assert (rating.score, rating.comment, rating.seller_id) == (4, "Quick.", helped.seller_id)
    changed = rating_submit(ticket=helped, score=2, actor=CUSTOMER)
    assert changed.pk == rating.pk and Rating.objects.count() == 1
    assert (changed.score, changed.comment) == (2, "")
    assert list(AuditEvent.objects.filter(subject=f"ticket:{helped.pk}",
                                          action__startswith="rating.")
                .order_by("id").values_list("action", flat=True)) == [
        "rating.submitted", "rating.changed"]


@pytest.mark.parametrize("score", [0, 6, -1, "5", None])
def test_a_score_outside_1_to_5_is_refused(helped, score):
    with pytest.raises(Invalid):
        rating_submit(ticket=helped, score=score, actor=CUSTOMER)
    assert not Rating.objects.exists()


def test_a_long_comment_is_refused(helped):
    with pytest.raises(Invalid):
        rating_submit(ticket=helped, score=5, comment="x" * 2001, actor=CUSTOMER)


def test_an_open_ticket_cannot_be_rated(seller):
    ticket = open_ticket(make_order(seller))
    with pytest.raises(Conflict) as exc:
        rating_submit(ticket=ticket, score=5, actor=CUSTOMER)
    assert exc.value.code == "rating_not_offered"


def test_a_ticket_closed_for_inactivity_is_not_rated(seller):
    ticket = open_ticket(make_order(seller))
    Ticket.objects.filter(pk=ticket.pk).update(due_at=NOW, due_step=Step.CLOSE)
    ticket_process_due(ticket_id=ticket.pk, now=NOW)
    with pytest.raises(Conflict):
        rating_submit(ticket=ticket, score=1, actor=CUSTOMER)


@override_settings(POSTSALE_RATING_DAYS=3)
def test_the_window_closes(helped):
    later = helped.closed_at + timedelta(days=3, minutes=1)
    with pytest.raises(Conflict):
        rating_submit(ticket=helped, score=5, actor=CUSTOMER, now=later)


def closed_mail_to(email: str):
    return next(m for m in mail.outbox if m.to == [email]
                and m.extra_headers["X-Postsale-Kind"] == "ticket_closed")


def test_the_closed_e_mail_asks_for_a_rating_only_after_a_person_closed_it(
        seller, django_capture_on_commit_callbacks):
    order = make_order(seller, paid=True)
    ticket = open_ticket(order)
    ticket_reply(ticket=ticket, side=Side.SELLER, actor=AGENT, body="Done.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT)
    customer = closed_mail_to(order.email)
    assert "Rate the help you received" in customer.body
    assert f"/tickets/{ticket.number}/#rating" in customer.body
    assert "Rate the help" not in closed_mail_to(seller.reply_to_email).body

    quiet = open_ticket(order)
    Ticket.objects.filter(pk=quiet.pk).update(due_at=NOW, due_step=Step.CLOSE)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_process_due(ticket_id=quiet.pk, now=NOW)
    assert "Rate the help" not in closed_mail_to(order.email).body


def test_ratings_of_other_sellers_stay_apart(helped, other_seller):
    rating_submit(ticket=helped, score=5, actor=CUSTOMER)
    assert not Rating.objects.filter(seller=other_seller).exists()
