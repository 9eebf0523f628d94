"""Reading tickets in the back office: the list and its filters, the ticket page, the
order page's Tickets section, downloads, and who may see what."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from postsale.backoffice import inbox as ticket_views
from postsale.core import clock
from postsale.core.audit import Actor
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member
from postsale.tickets.attachments import CheckedFile
from postsale.tickets.models import Message, Side
from postsale.tickets.services import ticket_close, ticket_reply
from postsale.tickets.tests.factories import open_ticket

LIST = reverse("backoffice:tickets")
AGENT = Actor("user", "agnes")


def page_url(ticket) -> str:
    return reverse("backoffice:ticket", args=[ticket.number])


def rows(response) -> list[str]:
    return re.findall(r'<tr data-ticket="([^"]+)"', response.text)


@pytest.fixture
def paid(seller):
    product = make_product(seller, sku="museum", name="Museum entry", price=4000)
    return make_order(seller, product, quantity=2, paid=True)


@pytest.fixture
def viewer_client(seller, client_for):
    return client_for(make_member(seller, role=Role.VIEWER, username="vera").user)


@pytest.fixture
def door_client(seller, client_for):
    return client_for(make_member(seller, role=Role.DOOR, username="dora").user)


def test_list_shows_open_tickets_with_whom_they_wait_on_and_the_next_step(
        agent_client, seller, paid):
    with time_machine.travel(datetime(2026, 11, 18, 9, 0, tzinfo=UTC), tick=False):
        support = open_ticket(paid, subject="Where are my entries?")
        refund = open_ticket(paid, type="refund", side=Side.SELLER, subject="Goodwill")
        closed = open_ticket(paid, subject="Solved already")
        ticket_close(ticket=closed, side=Side.SELLER, actor=AGENT)
        response = agent_client.get(LIST)
    assert response.status_code == 200
    assert rows(response) == [refund.number, support.number]  # newest first, open only
    html = response.text
    assert "Where are my entries?" in html and paid.number in html
    assert "Refund in 5 minutes unless saved" in html
    assert "Inactivity warning in 2 days" in html
    row = html.split(f'data-ticket="{support.number}"')[1].split("</tr>")[0]
    assert "<td>Seller</td>" in row  # the customer wrote last: waiting on the seller
    assert 'aria-current="page">Tickets<' in html


def test_list_filters_by_type_status_and_order(agent_client, seller, paid):
    other_order = make_order(seller, paid=True)
    support = open_ticket(paid)
    refund = open_ticket(other_order, type="refund")
    closed = open_ticket(paid, subject="Old")
    ticket_close(ticket=closed, side=Side.SELLER, actor=AGENT)
    assert rows(agent_client.get(LIST, {"type": "refund"})) == [refund.number]
    assert rows(agent_client.get(LIST, {"status": "closed"})) == [closed.number]
    assert set(rows(agent_client.get(LIST, {"status": "all"}))) == {
        support.number, refund.number, closed.number}
    by_order = agent_client.get(LIST, {"order": paid.number.lower(), "status": "all"})
    assert set(rows(by_order)) == {support.number, closed.number}
    nothing = agent_client.get(LIST, {"type": "exchange"})
    assert rows(nothing) == [] and "No tickets match these filters." in nothing.text
    # An unknown filter value is ignored rather than an error page.
    assert rows(agent_client.get(LIST, {"type": "bogus"})) == [refund.number, support.number]


def test_list_pages_and_answers_htmx_with_the_results_only(agent_client, seller, paid,
                                                           monkeypatch):
    monkeypatch.setattr(ticket_views, "PAGE_SIZE", 2)
    base = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    made = [open_ticket(paid, now=base + timedelta(minutes=i)) for i in range(3)]
    first = agent_client.get(LIST)
    assert rows(first) == [made[2].number, made[1].number]
    older = re.search(r'rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    second = agent_client.get(LIST + older)
    assert rows(second) == [made[0].number]
    fragment = agent_client.get(LIST, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and rows(fragment) == rows(first)


def test_another_sellers_tickets_are_not_listed_and_are_404(agent_client, other_seller):
    theirs = open_ticket(make_order(other_seller))
    assert theirs.number not in agent_client.get(LIST, {"status": "all"}).text
    assert agent_client.get(page_url(theirs)).status_code == 404
    assert agent_client.get(reverse("backoffice:ticket", args=["TCK-NOPE"])).status_code == 404


def test_ticket_page_shows_public_messages_internal_notes_and_system_messages_apart(
        agent_client, paid, agent):
    ticket = open_ticket(paid, body="The e-mail never came.")
    actor = Actor("user", agent.username, agent)
    ticket_reply(ticket=ticket, side=Side.SELLER, actor=actor, body="Resent, check spam.")
    ticket_reply(ticket=ticket, side=Side.SELLER, actor=actor, body="Customer sounds upset.",
                 internal=True)
    Message.objects.create(ticket=ticket, side=Side.SYSTEM, body="Type changed.",
                           created_at=clock.now() + timedelta(seconds=1))
    response = agent_client.get(page_url(ticket))
    assert response.status_code == 200
    html = response.text
    items = re.findall(r'<li class="msg ([^"]+)"[^>]*data-internal="(\w+)"', html)
    assert items == [("msg--customer", "false"), ("msg--seller", "false"),
                     ("msg--seller msg--internal", "true"), ("msg--system", "false")]
    note = html.split("msg--internal")[1].split("</li>")[0]
    assert "Internal note" in note and "Customer sounds upset." in note
    assert "Anna Kowalska" in html  # the customer's name on their message
    assert "Send reply" in html and "Add internal note" in html and "Close ticket" in html
    assert "Times in Europe/Warsaw." in html


def test_ticket_page_shows_the_refund_request_and_its_countdown(agent_client, paid):
    entry = paid.entries.order_by("id").first()
    opened = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    with time_machine.travel(opened, tick=False):
        ticket = open_ticket(paid, type="refund", side=Side.SELLER,
                             keys=[f"entry:{entry.number}"])
    with time_machine.travel(opened + timedelta(minutes=2), tick=False):
        html = agent_client.get(page_url(ticket)).text
    assert "Refund in 3 minutes unless saved" in html
    request = html.split('id="request"')[1].split("</section>")[0]
    assert "40.00" in request and entry.number in request
    assert "2026-11-18 10:05" in request  # process_at, in the seller's time zone


def test_attachments_download_and_never_show_inline(agent_client, paid, other_seller):
    ticket = open_ticket(paid, attachments=[CheckedFile("receipt.txt", "text/plain", b"paid")])
    attachment = ticket.messages.get().attachments.get()
    url = reverse("backoffice:ticket_attachment", args=[ticket.number, attachment.pk])
    assert url in agent_client.get(page_url(ticket)).text
    response = agent_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == b"paid"
    # The attachment through another ticket's address, or another seller's ticket: 404.
    other = open_ticket(paid)
    assert agent_client.get(reverse("backoffice:ticket_attachment",
                                    args=[other.number, attachment.pk])).status_code == 404
    theirs = open_ticket(make_order(other_seller))
    assert agent_client.get(reverse("backoffice:ticket_attachment",
                                    args=[theirs.number, attachment.pk])).status_code == 404


def test_viewer_reads_but_gets_no_action_forms(viewer_client, paid):
    ticket = open_ticket(paid)
    html = viewer_client.get(page_url(ticket)).text
    assert ticket.number in html and "Please help." in html
    for action in ("Send reply", "Add internal note", "Change type", "Close ticket"):
        assert action not in html
    assert viewer_client.get(LIST).status_code == 200
    order_page = viewer_client.get(reverse("backoffice:order", args=[paid.number])).text
    assert ticket.number in order_page and "Open ticket" not in order_page


def test_door_staff_have_no_access_to_tickets(door_client, paid):
    ticket = open_ticket(paid)
    assert door_client.get(LIST).status_code == 403
    assert door_client.get(page_url(ticket)).status_code == 403
    attachment_url = reverse("backoffice:ticket_attachment", args=[ticket.number, 1])
    assert door_client.get(attachment_url).status_code == 403
    for name in ("ticket_reply", "ticket_close"):
        url = reverse(f"backoffice:{name}", args=[ticket.number])
        assert door_client.post(url, {"body": "x"}).status_code == 403
    open_url = reverse("backoffice:order_ticket_open", args=[paid.number])
    assert door_client.post(open_url, {"type": "support", "body": "x"}).status_code == 403
    assert ticket.messages.count() == 1 and not ticket.order.tickets.exclude(pk=ticket.pk)
    order_page = door_client.get(reverse("backoffice:order", args=[paid.number])).text
    assert 'id="tickets"' not in order_page and "Open ticket" not in order_page
    assert reverse("backoffice:tickets") not in order_page  # no "Tickets" in the nav


def test_anonymous_user_is_sent_to_log_in(client, paid):
    ticket = open_ticket(paid)
    for url in (LIST, page_url(ticket)):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_order_page_lists_its_tickets_and_offers_to_open_one(agent_client, paid):
    ticket = open_ticket(paid, type="refund", subject="Cannot come")
    html = agent_client.get(reverse("backoffice:order", args=[paid.number])).text
    section = html.split('id="tickets"')[1].split("</section>")[0]
    assert ticket.number in section and "Cannot come" in section
    assert "Refund in" in section and "unless saved" in section
    open_url = reverse("backoffice:order_ticket_open", args=[paid.number])
    menu = html.split('id="order-actions"')[1].split("</details>")[0]
    assert f'hx-get="{open_url}"' in menu and "Open a ticket…" in menu
    assert 'id="open-ticket"' in section  # where the menu brings the form
    # htmx brings the form into the page; without JavaScript the link opens it on its own.
    form = agent_client.get(open_url, headers={"HX-Request": "true"})
    assert "<html" not in form.text and 'enctype="multipart/form-data"' in form.text
    entries = [f"entry:{e.number}" for e in paid.entries.all()]
    assert all(f'value="{key}" checked' in form.text for key in entries)
    assert 'name="on_behalf"' not in form.text  # platform operators only
    assert "<html" in agent_client.get(open_url).text


def test_platform_operator_sees_the_phone_call_checkbox(client_for, paid):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    html = client_for(root).get(reverse("backoffice:order_ticket_open",
                                        args=[paid.number])).text
    assert 'name="on_behalf"' in html and "On the customer's behalf (phone call)" in html
