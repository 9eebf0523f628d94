"""Assignment rules (SPEC §8, §4.5): the first matching rule, round-robin among its
consultants, returns to the consultant responsible for their sales channel, and the
writes that keep rules and assignees honest."""

from types import SimpleNamespace

import pytest

from postsale.core.audit import Actor
from postsale.core.errors import Conflict, Invalid
from postsale.core.models import AuditEvent
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.models import Member, Role, SalesChannel
from postsale.sellers.tests.factories import make_member
from postsale.tickets.assignment import (
    RuleDraft,
    assignment_rule_create,
    assignment_rule_delete,
    assignment_rule_move,
    assignment_rule_update,
    pick_rule,
)
from postsale.tickets.models import AssignmentRule, Channel, Side
from postsale.tickets.services import ticket_assign, ticket_open
from postsale.tickets.tests.factories import open_ticket

OWNER = Actor("user", "owner")


def rule(id, channel_id=None, type=""):
    return SimpleNamespace(id=id, channel_id=channel_id, type=type)


@pytest.mark.parametrize(("channel_id", "type", "expected"), [
    (1, "support", "web-support"),
    (1, "refund", "web-any"),
    (2, "refund", "refunds"),
    (2, "support", "catch-all"),
    (2, "return", "box-returns"),  # a return: its channel's rule before earlier general ones
    (1, "return", "web-any"),
    (3, "return", "catch-all"),  # nobody responsible for channel 3: the general rules
])
def test_pick_rule_takes_the_first_match_and_returns_prefer_their_channel(channel_id, type,
                                                                         expected):
    rules = [rule("web-support", 1, "support"), rule("web-any", 1), rule("refunds", None,
                                                                         "refund"),
             rule("catch-all"), rule("box-returns", 2, "return")]
    assert pick_rule(rules, channel_id=channel_id, type=type).id == expected
    assert pick_rule([], channel_id=1, type="support") is None
    assert pick_rule([rule("web", 1)], channel_id=2, type="support") is None


@pytest.fixture
def team(seller):
    return [make_member(seller, role=role, username=name).user
            for name, role in (("ada", Role.AGENT), ("bob", Role.AGENT), ("cyd", Role.OWNER))]


@pytest.fixture
def product(seller):
    return make_product(seller, price=4000)


def channel(seller, code="web-shop"):
    return SalesChannel.objects.get(seller=seller, code=code)


def new_rule(seller, users, *, channel=None, type=""):
    return assignment_rule_create(seller=seller, actor=OWNER, draft=RuleDraft(
        channel=channel, type=type, consultants=users))


def test_new_tickets_go_round_robin_and_each_takes_the_next_turn(seller, team, product):
    new_rule(seller, team)
    order = make_order(seller, product, paid=True)
    tickets = [open_ticket(order) for _ in range(7)]
    assert [t.assignee.username for t in tickets] == ["ada", "bob", "cyd"] * 2 + ["ada"]
    opened = AuditEvent.objects.filter(action="ticket.opened").order_by("id")
    assert [e.data["turn"] for e in opened] == list(range(7))
    assert {e.data["assignment_rule"] for e in opened} == {AssignmentRule.objects.get().pk}
    assert AssignmentRule.objects.get().turns == 7


def test_the_first_matching_rule_by_sales_channel_and_type(seller, team, product):
    ada, bob, cyd = team
    new_rule(seller, [ada], channel=channel(seller, "box-office"))
    new_rule(seller, [bob], type="refund")
    new_rule(seller, [cyd])
    web = make_order(seller, product, paid=True)
    box = make_order(seller, product, paid=True, channel="box-office",
                     email="box@example.com")
    assert open_ticket(box).assignee == ada
    assert open_ticket(web, type="refund").assignee == bob
    assert open_ticket(web).assignee == cyd


def test_returns_go_to_the_consultant_responsible_for_their_sales_channel(seller, team,
                                                                         product):
    ada, bob, _ = team
    new_rule(seller, [bob])  # everything, first in order
    new_rule(seller, [ada], channel=channel(seller, "box-office"), type="return")
    box = make_order(seller, product, paid=True, channel="box-office", email="b@example.com")
    web = make_order(seller, product, paid=True)
    assert open_ticket(box, type="return").assignee == ada
    assert open_ticket(box).assignee == bob  # not a return: the first rule
    assert open_ticket(web, type="return").assignee == bob  # nobody owns web-shop returns


def test_consultants_who_lost_their_role_are_skipped(seller, team, product):
    ada, bob, cyd = team
    new_rule(seller, team)
    Member.objects.filter(user=bob).update(role=Role.VIEWER)
    order = make_order(seller, product, paid=True)
    assert [open_ticket(order).assignee for _ in range(4)] == [ada, cyd, ada, cyd]
    Member.objects.filter(user__in=[ada, cyd]).delete()
    assert open_ticket(order).assignee is None  # nobody left: the unassigned queue


def test_without_a_rule_tickets_stay_unassigned(seller, team, product):
    order = make_order(seller, product, paid=True)
    assert open_ticket(order).assignee is None
    assert "assignee" not in AuditEvent.objects.get(action="ticket.opened").data


def test_an_agent_opening_a_ticket_in_the_back_office_keeps_it(seller, team, product):
    ada, bob, _ = team
    new_rule(seller, [bob])
    order = make_order(seller, product, paid=True)
    mine = ticket_open(order=order, type="support", body="Called us.", side=Side.SELLER,
                       channel=Channel.BACKOFFICE, actor=Actor("user", "ada", ada))
    assert mine.assignee == ada
    via_api = ticket_open(order=order, type="support", body="From the helpdesk.",
                          side=Side.SELLER, channel=Channel.API, actor=Actor("api", "pst_x"))
    assert via_api.assignee == bob  # no person: the rules
    assert AssignmentRule.objects.get().turns == 1


def test_manual_assignment_accepts_consultants_only(seller, other_seller, team, product):
    ada, bob, _ = team
    viewer = make_member(seller, role=Role.VIEWER, username="vic").user
    stranger = make_member(other_seller, role=Role.AGENT, username="sam").user
    ticket = open_ticket(make_order(seller, product, paid=True))
    ticket_assign(ticket=ticket, user=ada, actor=OWNER)
    for user in (viewer, stranger):
        with pytest.raises(Invalid):
            ticket_assign(ticket=ticket, user=user, actor=OWNER)
    ticket.refresh_from_db()
    assert ticket.assignee == ada
    ticket_assign(ticket=ticket, user=ada, actor=OWNER)  # no change: no audit row
    ticket_assign(ticket=ticket, user=bob, actor=OWNER)
    ticket_assign(ticket=ticket, user=None, actor=OWNER)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    rows = AuditEvent.objects.filter(action="ticket.assigned").order_by("id")
    assert [(e.data["assignee"], e.data["previous"]) for e in rows] == [
        ("ada", None), ("bob", "ada"), (None, "bob")]


def test_rules_are_checked_before_they_are_saved(seller, other_seller, team):
    ada, _, _ = team
    viewer = make_member(seller, role=Role.VIEWER, username="vic").user
    theirs = channel(other_seller)
    for draft, field in ((RuleDraft(channel=theirs, type="", consultants=[ada]), "channel"),
                         (RuleDraft(channel=None, type="bogus", consultants=[ada]), "type"),
                         (RuleDraft(channel=None, type="", consultants=[]), "consultants"),
                         (RuleDraft(channel=None, type="", consultants=[viewer]),
                          "consultants")):
        with pytest.raises(Invalid) as caught:
            assignment_rule_create(seller=seller, draft=draft, actor=OWNER)
        assert field in caught.value.field_errors
    assert not AssignmentRule.objects.exists()
    new_rule(seller, [ada], type="refund")
    with pytest.raises(Conflict):
        new_rule(seller, [ada], type="refund")


def test_rules_are_updated_moved_and_deleted_with_an_audit_row_each(seller, team):
    ada, bob, cyd = team
    first, second = new_rule(seller, [ada]), new_rule(seller, [bob], type="refund")
    assert (first.position, second.position) == (0, 1)
    assignment_rule_update(rule=second, actor=OWNER, draft=RuleDraft(
        channel=channel(seller), type="refund", consultants=[cyd, bob]))
    second.refresh_from_db()
    assert [c.user for c in second.consultants.all()] == [cyd, bob]
    assignment_rule_move(rule=second, up=True, actor=OWNER)
    assert list(AssignmentRule.objects.values_list("pk", flat=True)) == [second.pk, first.pk]
    assignment_rule_move(rule=second, up=True, actor=OWNER)  # first already: nothing moves
    assignment_rule_delete(rule=first, actor=OWNER)
    assert list(AssignmentRule.objects.values_list("pk", flat=True)) == [second.pk]
    actions = list(AuditEvent.objects.filter(action__startswith="assignment_rule.")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["assignment_rule.created", "assignment_rule.created",
                       "assignment_rule.updated", "assignment_rule.moved",
                       "assignment_rule.deleted"]


def test_the_consultant_given_a_ticket_is_e_mailed_unless_they_took_it(seller, team, product):
    from postsale.notifications.models import Notification

    ada, bob, cyd = team
    for user in team:
        user.email = f"{user.username}@team.example"
        user.save(update_fields=["email"])
    new_rule(seller, [bob])
    order = make_order(seller, product, paid=True)
    by_rule = open_ticket(order)
    mail = Notification.objects.get(kind="ticket_assigned")
    assert mail.to_email == "bob@team.example" and by_rule.number in mail.subject
    assert "an assignment rule gave you" in mail.body_text
    assert f"/backoffice/tickets/{by_rule.number}/" in mail.body_text
    ticket_assign(ticket=by_rule, user=ada, actor=Actor("user", "cyd", cyd))
    to_ada = Notification.objects.get(kind="ticket_assigned", to_email="ada@team.example")
    assert "cyd gave you this ticket" in to_ada.body_text
    ticket_assign(ticket=by_rule, user=cyd, actor=Actor("user", "cyd", cyd))  # took it
    ticket_open(order=order, type="support", body="Called us.", side=Side.SELLER,
                channel=Channel.BACKOFFICE, actor=Actor("user", "ada", ada))  # keeps it
    assert Notification.objects.filter(kind="ticket_assigned").count() == 2
    bob.email = ""
    bob.save(update_fields=["email"])
    ticket_assign(ticket=by_rule, user=bob, actor=OWNER)  # nowhere to write: nothing queued
    assert Notification.objects.filter(kind="ticket_assigned").count() == 2
