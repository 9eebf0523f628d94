"""The inbox in a real browser: an agent opens the inbox, filters "unassigned", ticks two
tickets and assigns them to themself, opens one, inserts a canned reply from the
knowledge base (filled from the order) into the reply box, edits it and sends it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from postsale.core.tests.browser import ARTIFACTS
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member
from postsale.tickets.models import Message, Side, Ticket
from postsale.tickets.tests.factories import open_ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def tickets(live_server, seller):
    """Committed data the live server can see: three unassigned tickets and one of Bob's."""
    agnes = make_member(seller, role=Role.AGENT, username="agnes", password="pw").user
    bob = make_member(seller, role=Role.AGENT, username="bob").user
    product = make_product(seller, name="Museum entry", price=4500)
    order = make_order(seller, product, quantity=2, paid=True, email="jan.nowak@example.com")
    made = [open_ticket(order, subject=subject, body="The e-mail with my entries never came.")
            for subject in ("No e-mail", "Still nothing", "Wrong address?")]
    bobs = open_ticket(order, subject="Bob's ticket")
    Ticket.objects.filter(pk=bobs.pk).update(assignee=bob)
    return agnes, made


def log_in(page, live_server, next_url: str) -> None:
    page.goto(f"{live_server.url}/backoffice/login/?next={next_url}")
    page.get_by_label("Username").fill("agnes")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def test_agent_assigns_two_unassigned_tickets_to_themself_and_answers_with_a_canned_reply(
        page, live_server, tickets):
    agnes, (first, second, third) = tickets
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "/backoffice/tickets/")
    expect(page.locator("#results tbody tr")).to_have_count(4)

    page.get_by_label("Assigned to").select_option(label="Unassigned")  # htmx
    page.wait_for_url(re.compile(r"assignee=none"))
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    queues = page.get_by_role("navigation", name="Queues")
    expect(queues.get_by_role("link", name=re.compile("Unassigned"))).to_contain_text("3")

    page.get_by_label(f"Tick {first.number}").check()
    page.get_by_label(f"Tick {second.number}").check()
    expect(page.locator("#bulk-count")).to_have_text("✓ 2")
    # The inbox refreshes itself; the ticks survive the refresh.
    with page.expect_response(lambda r: "assignee=none" in r.url
                              and r.request.headers.get("hx-trigger") == "inbox-poll",
                              timeout=20_000):
        pass
    expect(page.get_by_label(f"Tick {first.number}")).to_be_checked()
    expect(page.get_by_label(f"Tick {second.number}")).to_be_checked()
    page.screenshot(path=ARTIFACTS / "backoffice-inbox-unassigned.png", full_page=True)

    bulk = page.locator("form#bulk")
    expect(bulk.get_by_label("Assign to")).to_have_value("me")
    bulk.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_url(re.compile(r"/backoffice/tickets/\?assignee=none"))
    expect(page.get_by_role("status").first).to_contain_text("Assigned 2 tickets")
    expect(rows).to_have_count(1)  # only the third is still unassigned
    expect(queues.get_by_role("link", name=re.compile("Mine"))).to_contain_text("2")
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.assignee == agnes
    third.refresh_from_db()
    assert third.assignee is None

    queues.get_by_role("link", name=re.compile("Mine")).click()
    page.get_by_role("link", name=first.number).click()
    page.wait_for_url(re.compile(rf"/backoffice/tickets/{first.number}/$"))
    expect(page.locator("#assignee")).to_contain_text("agnes")

    page.get_by_text("Insert from the knowledge base").click()  # opening it loads the list
    page.get_by_label("Find an article by title or tag").fill("spam")
    choice = page.locator('li.canned__item[data-article="spam-and-other-folders"]')
    expect(choice).to_be_visible()
    expect(page.locator("li.canned__item")).to_have_count(1)
    box = page.get_by_label("Message", exact=True)
    box.fill("Hello Jan,")
    choice.get_by_role("link", name="Insert steps").click()
    text = box.input_value()
    assert text.startswith("Hello Jan,\n\n1. Open the Spam (Junk) folder")
    assert "a message from Acme Events." in text and "{seller_name}" not in text
    assert page.url.endswith(f"/backoffice/tickets/{first.number}/")  # no reload
    box.press("End")
    box.type("\n\nBest regards, Agnes")
    page.screenshot(path=ARTIFACTS / "backoffice-ticket-canned-reply.png", full_page=True)
    mail.outbox.clear()
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(re.compile(r"#conversation$"))
    expect(page.get_by_role("status").first).to_contain_text("Reply sent to the customer.")
    reply = Message.objects.filter(ticket=first, side=Side.SELLER).get()
    reply.body = reply.body.replace("\r\n", "\n")  # a browser sends a textarea's CRLFs
    assert reply.body.startswith("Hello Jan,\n\n1. Open the Spam (Junk) folder")
    assert reply.body.endswith("Best regards, Agnes")
    expect(page.locator("ol.thread > li").last).to_contain_text("Best regards, Agnes")
