"""The inbox: queues by assignee ("mine", "unassigned", one consultant's), type, status,
sales channel and whom a ticket waits on; the live poll; bulk assign and bulk close, each
ticket through its own service; reassigning one ticket from its page."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from postsale.core.audit import Actor
from postsale.core.models import AuditEvent
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member
from postsale.tickets.models import Side, TicketStatus
from postsale.tickets.services import ticket_assign, ticket_reply
from postsale.tickets.tests.factories import open_ticket

LIST = reverse("backoffice:tickets")
BULK = reverse("backoffice:tickets_bulk")
OWNER = Actor("user", "owner")


def rows(response) -> list[str]:
    return re.findall(r'<tr data-ticket="([^"]+)"', response.text)


@pytest.fixture
def bob(seller):
    return make_member(seller, role=Role.AGENT, username="bob").user


@pytest.fixture
def product(seller):
    return make_product(seller, sku="museum", name="Museum entry", price=4000)


@pytest.fixture
def web(seller, product):
    return make_order(seller, product, paid=True)


@pytest.fixture
def box(seller, product):
    return make_order(seller, product, paid=True, channel="box-office", email="box@example.com")


@pytest.fixture
def viewer_client(seller, client_for):
    return client_for(make_member(seller, role=Role.VIEWER, username="vera").user)


def assigned(ticket, user):
    ticket_assign(ticket=ticket, user=user, actor=OWNER)
    return ticket


def test_queues_mine_unassigned_and_one_consultants(agent_client, agent, bob, web):
    mine = assigned(open_ticket(web, subject="Mine"), agent)
    bobs = assigned(open_ticket(web, subject="Bob's"), bob)
    nobody = open_ticket(web, subject="Nobody's")
    assert rows(agent_client.get(LIST, {"assignee": "me"})) == [mine.number]
    assert rows(agent_client.get(LIST, {"assignee": "none"})) == [nobody.number]
    assert rows(agent_client.get(LIST, {"assignee": str(bob.pk)})) == [bobs.number]
    everything = agent_client.get(LIST)
    assert rows(everything) == [nobody.number, bobs.number, mine.number]
    queues = everything.text.split('id="queues"')[1].split("</nav>")[0]
    assert re.findall(r'(Mine|Unassigned|All open) <span class="queues__count">(\d+)', queues) \
        == [("Mine", "1"), ("Unassigned", "1"), ("All open", "3")]
    assert 'aria-current="page">All open' in queues
    mine_page = agent_client.get(LIST, {"assignee": "me"}).text
    assert 'aria-current="page">Mine' in mine_page
    row = everything.text.split(f'data-ticket="{bobs.number}"')[1].split("</tr>")[0]
    assert "<bdi>bob</bdi>" in row and "Web shop" in row
    # Someone who is not a consultant, or a made-up value: the filter is ignored.
    assert len(rows(agent_client.get(LIST, {"assignee": "999999"}))) == 3


def test_queues_by_sales_channel_type_status_and_whom_it_waits_on(agent_client, web, box):
    web_support = open_ticket(web)
    box_refund = open_ticket(box, type="refund")
    answered = open_ticket(web, subject="Answered")
    ticket_reply(ticket=answered, side=Side.SELLER, actor=OWNER, body="Here you go.")
    a_return = open_ticket(box, type="return")
    assert rows(agent_client.get(LIST, {"channel": "box-office"})) == [
        a_return.number, box_refund.number]
    assert rows(agent_client.get(LIST, {"channel": "web-shop", "type": "support"})) == [
        answered.number, web_support.number]
    assert rows(agent_client.get(LIST, {"waiting": "customer"})) == [answered.number]
    assert answered.number not in rows(agent_client.get(LIST, {"waiting": "seller"}))
    assert rows(agent_client.get(LIST, {"status": TicketStatus.NEW})) == [a_return.number]
    assert rows(agent_client.get(LIST, {"channel": "nonexistent"})) != []  # ignored


def test_the_poll_refreshes_the_results_alone_and_keeps_ticks_and_filters(agent_client,
                                                                         agent, web):
    ticket = open_ticket(web)
    response = agent_client.get(LIST, {"assignee": "none", "type": "support"},
                                headers={"HX-Request": "true", "HX-Trigger": "inbox-poll"})
    html = response.text
    assert response.status_code == 200 and "<html" not in html
    assert rows(response) == [ticket.number]
    poller = re.search(r'<div id="inbox-poll"[^>]*>', html).group(0)
    # Every 15 s while the tab is visible, and at once when it is shown again.
    assert "hx-trigger=\"every 15s [document.visibilityState === 'visible'], " \
        "visibilitychange from:document" in poller
    assert 'hx-push-url="false"' in poller
    assert "assignee=none" in poller and "type=support" in poller  # the same filters
    assert f'id="pick-{ticket.number}" hx-preserve' in html  # ticks survive the swap
    assert 'id="queues" aria-label="Queues" hx-swap-oob="true"' in html  # counts too
    assert 'role="status"' not in html.split("</nav>")[1]  # no announcement every 15 s
    assert "HX-Trigger" in response["Vary"]
    page = agent_client.get(LIST).text  # the full page starts the same poll
    assert 'id="inbox-poll"' in page and 'form="bulk"' in page


def test_bulk_assign_goes_through_ticket_assign_once_per_ticket(agent_client, agent, bob, web,
                                                                other_seller):
    first, second, untouched = open_ticket(web), open_ticket(web), open_ticket(web)
    theirs = open_ticket(make_order(other_seller))
    back = f"{LIST}?assignee=none&type=support"
    response = agent_client.post(BULK, {"action": "assign", "assignee": str(bob.pk),
                                        "tickets": [first.number, second.number,
                                                    theirs.number],
                                        "next": back})
    assert response.status_code == 302 and response["Location"] == back
    for ticket in (first, second, untouched, theirs):
        ticket.refresh_from_db()
    assert first.assignee == second.assignee == bob
    assert untouched.assignee is None and theirs.assignee is None
    events = AuditEvent.objects.filter(action="ticket.assigned")
    assert sorted(e.subject for e in events) == sorted(
        f"ticket:{t.pk}" for t in (first, second))
    shown = agent_client.get(back).text
    assert f"Assigned 2 tickets: {first.number}, {second.number}." in shown
    assert f"Not found, nothing done: {theirs.number}." in shown
    # "me", and again: already so.
    agent_client.post(BULK, {"action": "assign", "assignee": "me", "tickets": [first.number]})
    first.refresh_from_db()
    assert first.assignee == agent
    response = agent_client.post(BULK, {"action": "assign", "assignee": "me",
                                        "tickets": [first.number]}, follow=True)
    assert f"Already so: {first.number}." in response.text
    assert AuditEvent.objects.filter(action="ticket.assigned").count() == 3


@pytest.mark.parametrize("assignee", ["", "bogus", "999999"])
def test_bulk_assign_to_nobody_known_changes_nothing(agent_client, seller, web, assignee):
    viewer = make_member(seller, role=Role.VIEWER, username="vic").user
    ticket = open_ticket(web)
    for value in (assignee, str(viewer.pk)):
        response = agent_client.post(BULK, {"action": "assign", "assignee": value,
                                            "tickets": [ticket.number]}, follow=True)
        assert response.status_code == 200
        assert "Choose whom to assign the tickets to." in response.text
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_bulk_close_asks_first_then_closes_each_like_a_single_close(
        agent_client, web, other_seller, django_capture_on_commit_callbacks):
    first, second = open_ticket(web), open_ticket(web, type="refund")
    theirs = open_ticket(make_order(other_seller))
    mail.outbox.clear()
    ask = agent_client.post(BULK, {"action": "close", "next": f"{LIST}?type=refund",
                                   "tickets": [first.number, second.number, theirs.number]})
    assert ask.status_code == 200 and "Close 2 tickets?" in ask.text
    assert theirs.number not in ask.text
    assert "the platform operator reviews it" in ask.text  # the customer's refund request
    first.refresh_from_db()
    assert not first.is_closed  # nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        done = agent_client.post(BULK, {"action": "close", "confirm": "1",
                                        "next": f"{LIST}?type=refund",
                                        "tickets": [first.number, second.number,
                                                    theirs.number]})
    assert done.status_code == 302 and done["Location"] == f"{LIST}?type=refund"
    for ticket in (first, second, theirs):
        ticket.refresh_from_db()
    assert first.is_closed and second.is_closed and not theirs.is_closed
    assert second.resolution == "saved" and second.review_requested_at is not None
    closed = AuditEvent.objects.filter(action="ticket.closed")
    assert sorted(e.subject for e in closed) == sorted(f"ticket:{t.pk}" for t in (first,
                                                                                  second))
    for ticket in (first, second):  # both sides e-mailed, as a single close would
        sent = [(m.to, m.subject) for m in mail.outbox if ticket.number in m.subject]
        assert sorted(to for to, _ in sent) == [["anna.kowalska@example.com"],
                                                 ["owner@acme.example"]], sent
        assert all("Ticket closed" in subject for _, subject in sent)
    again = agent_client.post(BULK, {"action": "close", "confirm": "1",
                                     "tickets": [first.number]}, follow=True)
    assert f"Already so: {first.number}." in again.text


def test_bulk_needs_tickets_and_a_known_action_and_stays_on_our_site(agent_client, web):
    ticket = open_ticket(web)
    nothing = agent_client.post(BULK, {"action": "assign", "assignee": "me"}, follow=True)
    assert "Tick at least one ticket." in nothing.text
    unknown = agent_client.post(BULK, {"action": "explode", "tickets": [ticket.number]},
                                follow=True)
    assert "Choose an action." in unknown.text
    evil = agent_client.post(BULK, {"action": "assign", "assignee": "me",
                                    "tickets": [ticket.number],
                                    "next": "https://evil.example/backoffice/tickets/"})
    assert evil["Location"] == LIST
    assert agent_client.get(BULK).status_code == 405


def test_viewers_and_door_staff_cannot_act_in_bulk(viewer_client, seller, client_for, web):
    door_client = client_for(make_member(seller, role=Role.DOOR, username="dora").user)
    ticket = open_ticket(web)
    for client in (viewer_client, door_client):
        for action in ("assign", "close"):
            response = client.post(BULK, {"action": action, "assignee": "me", "confirm": "1",
                                          "tickets": [ticket.number]})
            assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee is None and not ticket.is_closed
    page = viewer_client.get(LIST).text
    assert 'id="bulk"' not in page and 'name="tickets"' not in page
    assert door_client.get(LIST).status_code == 403


def test_reassign_from_the_ticket_page(agent_client, viewer_client, bob, web, other_seller):
    ticket = open_ticket(web)
    url = reverse("backoffice:ticket_assign", args=[ticket.number])
    page = agent_client.get(reverse("backoffice:ticket", args=[ticket.number])).text
    assert f'<option value="{bob.pk}">bob</option>' in page
    response = agent_client.post(url, {"assignee": str(bob.pk)}, follow=True)
    assert f"Ticket {ticket.number} is assigned to bob." in response.text
    ticket.refresh_from_db()
    assert ticket.assignee == bob
    assert "not a consultant" not in response.text
    response = agent_client.post(url, {"assignee": "12345"}, follow=True)
    assert "Choose whom to assign the tickets to." in response.text
    agent_client.post(url, {"assignee": "none"})
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert viewer_client.post(url, {"assignee": str(bob.pk)}).status_code == 403
    viewer_page = viewer_client.get(reverse("backoffice:ticket", args=[ticket.number])).text
    assert 'id="assign-select"' not in viewer_page
    theirs = open_ticket(make_order(other_seller))
    assert agent_client.post(reverse("backoffice:ticket_assign", args=[theirs.number]),
                             {"assignee": "none"}).status_code == 404
