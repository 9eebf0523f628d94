"""Troubleshooting in a real browser at phone size: the customer picks "I did not receive
the e-mail", reads the articles (htmx, inside the order page), says they did not help,
and writes to support with what they typed kept; another time an article solves it and
nothing is sent. The Hebrew page reads right to left."""

import re

import pytest
from playwright.sync_api import expect

from postsale.core.tests.browser import ARTIFACTS
from postsale.kb.models import Deflection
from postsale.orders.models import ProductKind
from postsale.orders.tests.factories import make_order, make_product
from postsale.tickets.models import Ticket

from .conftest import order_link

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def order(live_server, seller):
    museum = make_product(seller, name="Museum entry", kind=ProductKind.OPEN_ENTRY,
                          price=4500)
    return make_order(seller, museum, quantity=2, paid=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_articles_do_not_help_so_the_customer_writes_with_their_text_kept(page, live_server,
                                                                         order):
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + order_link(order))
    page.get_by_label("Message").fill("I bought two entries yesterday.")
    page.get_by_role("button", name="I did not receive the e-mail").click()
    help_panel = page.locator("#help-panel")
    expect(help_panel.locator("li.article")).to_have_count(6)
    first = help_panel.locator("li.article").first
    expect(first).to_contain_text("anna.kowalska@example.com")  # filled from the order
    expect(first.locator("details")).to_have_attribute("open", "")
    help_panel.get_by_text("Look in spam and other folders").click()  # open the second
    expect(help_panel).to_contain_text("Open the Spam (Junk) folder")
    assert fits_the_screen(page)
    page.screenshot(path=ARTIFACTS / "portal-troubleshooting.png", full_page=True)
    assert Deflection.objects.get().solved is None

    help_panel.get_by_role("button", name="No, I still need help").click()
    expect(help_panel).to_contain_text("Sorry that did not help.")
    assert Deflection.objects.get().solved is False
    message = page.get_by_label("Message")
    expect(message).to_have_value("I bought two entries yesterday.")  # nothing lost
    message.fill("I bought two entries yesterday. Spam is empty too.")
    page.get_by_label("Subject").fill("No e-mail")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(re.compile(r"/tickets/TCK-[A-Z0-9]+/$"))
    ticket = Ticket.objects.get()
    assert ticket.type == "support" and ticket.subject == "No e-mail"
    assert ticket.messages.get().body == "I bought two entries yesterday. Spam is empty too."


def test_an_article_solves_it_and_nothing_is_sent(page, live_server, order):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + order_link(order))
    page.get_by_role("button", name="The content does not load").click()
    page.locator("#help-panel").get_by_role("button", name="Yes, it is solved").click()
    expect(page.locator("#help-panel")).to_contain_text("Great, we are glad it is sorted!")
    assert Deflection.objects.get().solved is True
    assert not Ticket.objects.exists()


def test_in_hebrew_the_articles_read_right_to_left(page, live_server, order):
    ARTIFACTS.mkdir(exist_ok=True)
    order.language = "he"
    order.save(update_fields=["language"])
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + order_link(order))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("button.situation").first.click()  # "I did not receive the e-mail"
    expect(page.locator("#help-panel li.article").first).to_contain_text(
        "בדיקת כתובת הדוא\"ל בהזמנה")
    assert fits_the_screen(page)
    page.screenshot(path=ARTIFACTS / "portal-troubleshooting-he.png", full_page=True)
    assert Deflection.objects.get().language == "he"
