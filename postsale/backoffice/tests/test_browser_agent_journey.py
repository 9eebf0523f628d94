"""The agent's journey in a real browser: log in, find the order by the customer's phone
number typed as people say it ("+48 601 234 567"; the order keeps "+48601234567"), open
it, correct the customer's e-mail address and resend, refund one of the entries, and see
the delivery log fill with the e-mails to the new address and whether they went out."""

import re
from collections import Counter
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from postsale.core.tests.browser import ARTIFACTS
from postsale.orders.models import EntryStatus, Order, ProductKind
from postsale.orders.tests.documents_helpers import make_named_order
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments.models import Refund, RefundStatus
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member

pytestmark = pytest.mark.browser
OLD = "anna.kowalska@example.com"
NEW = "anna.k@gmail.com"


@pytest.fixture
def shop(live_server, seller):
    """Committed data the live server can see: an agent, the customer's paid order of two
    timed entries (phone "+48 601 234 567" at checkout), and someone else's order."""
    cache.clear()
    make_member(seller, role=Role.AGENT, username="agnes", password="pw")
    museum = make_product(seller, name="Museum entry", kind=ProductKind.TIMED_ENTRY,
                          price=4500)
    slot = make_slot(museum, starts_in=timedelta(days=10))
    order = make_order(seller, museum, slot=slot, quantity=2, email=OLD, paid=True)
    make_named_order(seller, museum, first_name="Jan", last_name="Nowak", language="pl",
                     slot=slot)
    return order


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def mails_to(page, address: str) -> Counter:
    """What the order's delivery log ("E-mails sent") lists for `address`: how many of
    each (message, status)."""
    log = page.get_by_role("region", name="E-mails sent")
    expect(log).to_be_visible()
    found = Counter()
    for row in log.locator("tbody tr").all():
        message, to, status = (row.locator("td").nth(i) for i in range(3))
        if to.inner_text() == address:
            found[message.locator(".cell-main").inner_text(),
                  status.locator(".badge").inner_text()] += 1
    return found


def open_actions(page):
    menu = page.locator("#order-actions")  # the order's one action menu
    menu.locator("summary", has_text="Actions").click()
    return menu


def test_agent_finds_the_order_by_phone_corrects_the_e_mail_and_refunds_one_entry(
        page, live_server, shop):
    order = shop
    assert order.phone == "+48601234567"  # stored as E.164, typed with spaces below
    first, second = order.entries.order_by("id")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/backoffice/login/?next=/backoffice/orders/")
    page.get_by_label("Username").fill("agnes")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/backoffice/orders/$"))
    expect(page.get_by_role("status")).to_have_text("Showing 2 orders")

    # "/" goes to the search box; the results follow the typing (htmx), no page load.
    page.evaluate("window.__notReloaded = true")
    page.keyboard.press("/")
    box = page.get_by_role("searchbox", name="Search")
    expect(box).to_be_focused()
    page.keyboard.type("+48 601 234 567")
    results = page.locator("#results")
    expect(results.get_by_role("status")).to_have_text("1 order found")
    assert page.evaluate("window.__notReloaded") is True
    row = results.get_by_role("row").filter(has=page.get_by_role("link", name=order.number))
    expect(row.locator(".match")).to_have_text("Phone: +48 601 234 567")
    expect(row).to_contain_text("Anna Kowalska")
    # The search is in the address, to share or come back to.
    assert parse_qs(urlsplit(page.url).query)["q"] == ["+48 601 234 567"]
    shot(page, "backoffice-journey-search-by-phone")

    # Down from the box to the result, Enter opens the order.
    page.keyboard.press("ArrowDown")
    expect(row.get_by_role("link", name=order.number)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/backoffice/orders/{order.number}/$"))
    assert mails_to(page, OLD) == Counter({("Receipt", "Sent"): 1, ("Entries", "Sent"): 1})
    assert mails_to(page, NEW) == Counter()

    # Correct the e-mail address: a confirmation with a new link and the receipt and
    # entries go to the new address, a notice to the old one; all of it in the log.
    open_actions(page).get_by_role("link", name="Correct e-mail and resend entries…").click()
    page.wait_for_url(re.compile(r"/email/$"))
    page.get_by_label("Correct e-mail address").fill(NEW)
    page.get_by_role("button", name="Save and send").click()
    page.wait_for_url(re.compile(rf"/backoffice/orders/{order.number}/#emails-title$"))
    expect(page.get_by_role("status")).to_contain_text(f"The e-mail address is now {NEW}.")
    assert Order.objects.get(pk=order.pk).email == NEW
    assert mails_to(page, NEW) == Counter({
        ("E-mail address changed", "Sent"): 1, ("Receipt", "Sent"): 1, ("Entries", "Sent"): 1})
    assert mails_to(page, OLD) == Counter({
        ("E-mail address changed", "Sent"): 1, ("Receipt", "Sent"): 1, ("Entries", "Sent"): 1})
    shot(page, "backoffice-journey-email-corrected")

    # And the receipt once more, from the menu: to the new address.
    open_actions(page).get_by_role("button", name="Resend receipt").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"The receipt and the entries were sent again to {NEW}.")
    assert mails_to(page, NEW) == Counter({
        ("E-mail address changed", "Sent"): 1, ("Receipt", "Sent"): 2, ("Entries", "Sent"): 2})

    # Refund one of the two entries: unticking the other checks again (htmx).
    open_actions(page).get_by_role("link", name="Refund…").click()
    page.wait_for_url(re.compile(r"/refund/$"))
    page.get_by_role("checkbox", name=re.compile(second.number)).uncheck()
    decision = page.locator("#refund-decision")
    expect(decision.locator("tbody tr")).to_have_count(1)
    expect(decision.locator("tbody tr")).to_contain_text(first.number)
    expect(decision.get_by_role("heading", name="The refund is possible")).to_be_visible()
    expect(decision.locator(".facts")).to_contain_text("45.00 PLN")
    shot(page, "backoffice-journey-refund-check")
    page.get_by_role("button", name="Confirm refund").click()
    page.wait_for_url(re.compile(rf"/backoffice/orders/{order.number}/#refunds$"))
    refund = Refund.objects.get()
    expect(page.get_by_role("status")).to_contain_text(refund.number)
    assert (refund.status, refund.amount) == (RefundStatus.SUCCEEDED, 4500)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (EntryStatus.VOID, EntryStatus.VALID)

    # The delivery log now has the refund confirmation too, sent to the new address.
    assert mails_to(page, NEW) == Counter({
        ("E-mail address changed", "Sent"): 1, ("Receipt", "Sent"): 2, ("Entries", "Sent"): 2,
        ("Refund confirmation", "Sent"): 1})
    assert mails_to(page, OLD) == Counter({
        ("E-mail address changed", "Sent"): 1, ("Receipt", "Sent"): 1, ("Entries", "Sent"): 1})
    page.get_by_role("heading", name="E-mails sent").scroll_into_view_if_needed()
    shot(page, "backoffice-journey-delivery-log")
    # What the log says was sent is what the mail server got.
    assert sum(m.to == [NEW] for m in mail.outbox) == 6
