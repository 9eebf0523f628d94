"""A support ticket in a real browser: opened from the order page as a refund of one entry,
its countdown, an internal note, a reply, and closing it before the refund runs."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from postsale.core.tests.browser import ARTIFACTS
from postsale.orders.models import EntryStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments.models import Refund
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member
from postsale.tickets.models import Channel, Resolution, Side, Ticket, TicketStatus

pytestmark = pytest.mark.browser


@pytest.fixture
def order(live_server, seller):
    """Committed data the live server can see: a paid order of three timed entries."""
    make_member(seller, role=Role.AGENT, username="agnes", password="pw")
    museum = make_product(seller, name="Museum entry", kind=ProductKind.TIMED_ENTRY,
                          price=4500)
    return make_order(seller, museum, slot=make_slot(museum, starts_in=timedelta(days=10)),
                      quantity=3, email="jan.nowak@example.com", paid=True)


def log_in(page, live_server, next_url: str) -> None:
    page.goto(f"{live_server.url}/backoffice/login/?next={next_url}")
    page.get_by_label("Username").fill("agnes")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def test_agent_opens_a_refund_ticket_notes_replies_and_closes_it(page, live_server, order):
    first, *others = order.entries.order_by("id")
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, f"/backoffice/orders/{order.number}/")

    page.locator("#order-actions summary").click()  # the order's one action menu
    page.get_by_role("link", name="Open a ticket…").click()  # htmx brings the form in
    form = page.locator("form", has=page.get_by_role("heading", name="Open a ticket"))
    expect(form.get_by_label("Type")).to_be_focused()
    assert page.url.endswith(f"/backoffice/orders/{order.number}/")  # still the order page
    form.get_by_label("Type").select_option(label="Refund")
    form.get_by_label("Subject").fill("Cannot come on Saturday")
    form.get_by_label("Message").fill("The customer called: one person cannot come.")
    for entry in others:  # every open item starts ticked: keep only the first
        form.get_by_role("checkbox", name=re.compile(entry.number)).uncheck()
    form.screenshot(path=ARTIFACTS / "backoffice-order-open-ticket.png")
    form.get_by_role("button", name="Open ticket").click()
    page.wait_for_url(re.compile(r"/backoffice/tickets/TCK-[A-Z0-9]+/$"))

    ticket = Ticket.objects.get()
    assert (ticket.type, ticket.opened_by, ticket.channel) == ("refund", Side.SELLER,
                                                               Channel.BACKOFFICE)
    assert ticket.refund_keys == [f"entry:{first.number}"] and ticket.refund_amount == 4500
    expect(page.get_by_role("status")).to_contain_text(f"Ticket {ticket.number} opened.")
    expect(page.locator("#countdown")).to_contain_text("in 5 minutes")
    expect(page.locator("#countdown")).to_contain_text("Refund in 5 minutes unless saved")
    request = page.locator("#request")
    expect(request).to_contain_text("45.00")
    expect(request).to_contain_text(first.number)

    page.get_by_label("Note", exact=True).fill("Offer a later date before it runs.")
    page.get_by_role("button", name="Add internal note").click()
    page.wait_for_url(re.compile(r"#conversation$"))
    note = page.locator("li.msg--internal")
    expect(note).to_contain_text("Offer a later date before it runs.")
    expect(note).to_contain_text("Internal note")

    page.get_by_label("Message", exact=True).fill("We can move you to next Saturday instead.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(re.compile(r"#conversation$"))
    expect(page.get_by_role("status")).to_contain_text("Reply sent to the customer.")
    thread = page.locator("ol.thread > li")
    expect(thread).to_have_count(3)
    expect(thread.nth(2)).to_contain_text("We can move you to next Saturday instead.")
    expect(thread.nth(2)).not_to_have_class(re.compile("msg--internal"))
    page.screenshot(path=ARTIFACTS / "backoffice-ticket.png", full_page=True)

    page.get_by_role("button", name="Close ticket").click()
    page.wait_for_url(re.compile(rf"/backoffice/tickets/{ticket.number}/$"))
    expect(page.get_by_role("status")).to_contain_text(
        "closed: closed by the seller before processing")
    expect(page.locator("#countdown")).to_contain_text("Closed by the seller before processing")
    expect(page.get_by_role("button", name="Send reply")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "backoffice-ticket-closed.png", full_page=True)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.resolution == Resolution.SAVED
    assert ticket.due_at is None and ticket.review_requested_at is None  # seller's own
    assert list(ticket.messages.values_list("internal", flat=True)) == [False, True, False]
    assert not Refund.objects.exists()
    first.refresh_from_db()
    assert first.status == EntryStatus.VALID
