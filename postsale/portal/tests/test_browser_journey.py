"""The customer's journey in a real browser at phone size: open the link, download the
entries PDF, correct the e-mail address (asked about a typo), ask for a refund and see
eligibility and the countdown, answer the agent, close and rate; the same page in Hebrew
is right to left.
Also: the thank-you page waiting for the payment, find my order, and bad links."""

import re
import shutil

import pytest
from django.core import mail
from django.core.cache import cache

from postsale.core.audit import SYSTEM, Actor
from postsale.core.tests.browser import ARTIFACTS
from postsale.orders.links import order_token, thank_you_token
from postsale.orders.mail_services import order_links_revoke
from postsale.orders.models import Order, ProductKind
from postsale.orders.tests.documents_helpers import pdf_text
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.services import PaymentReport, payment_record_event
from postsale.tickets.models import Side, Ticket
from postsale.tickets.services import ticket_reply

from .conftest import order_link

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
AGENT = Actor("user", "agnes")


@pytest.fixture
def order(live_server, seller):
    cache.clear()
    museum = make_product(seller, name="Museum entry", kind=ProductKind.OPEN_ENTRY,
                          price=4500)
    return make_order(seller, museum, quantity=2, paid=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    assert fits_the_screen(page), name
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def test_customer_journey_on_a_phone(page, live_server, order):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + order_link(order))
    assert order.number in page.get_by_role("heading", level=1).inner_text()

    # Download the entries: a real PDF with every entry number and the customer's name.
    numbers = list(order.entries.order_by("id").values_list("number", flat=True))
    with page.expect_download() as caught:
        page.locator("#entries").get_by_role("link", name="Download all entries (PDF)").click()
    download = caught.value
    assert download.suggested_filename == f"entries-{order.number}.pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    download.save_as(ARTIFACTS / "portal-journey-entries.pdf")
    content = (ARTIFACTS / "portal-journey-entries.pdf").read_bytes()
    assert content.startswith(b"%PDF-")
    if shutil.which("pdftotext"):  # pdf_text would skip the rest of the journey
        text = pdf_text(content)
        assert all(number in text for number in numbers) and "Anna Kowalska" in text

    # Correct the e-mail address: a typo is questioned before anything is sent.
    page.get_by_role("link", name="Correct the address").click()
    page.get_by_label("New e-mail address").fill("anna.kowalska@gmial.com")
    page.get_by_role("button", name="Save the new address").click()
    page.get_by_text("This address may be mistyped. Which one is right?").wait_for()
    assert Order.objects.get(pk=order.pk).email == "anna.kowalska@example.com"
    shot(page, "portal-email-typo-phone")
    page.get_by_label("anna.kowalska@gmail.com (suggested)").check()
    page.get_by_role("button", name="Save the new address").click()
    page.get_by_text("Your e-mail address is now anna.kowalska@gmail.com.").wait_for()
    order.refresh_from_db()
    assert order.email == "anna.kowalska@gmail.com"
    assert page.url == live_server.url + order_link(order) or "/o/" in page.url
    assert {m.to[0] for m in mail.outbox} >= {"anna.kowalska@gmail.com",
                                              "anna.kowalska@example.com"}

    # Ask for a refund: eligibility, amount and the processing date before sending.
    page.get_by_label("A refund").check()
    preview = page.locator("#refund-preview")
    preview.get_by_text("You can get 90.00 PLN back.").wait_for()
    assert "will be processed on" in preview.inner_text()
    page.get_by_label("Message").fill("We cannot come after all.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/tickets/TCK-[A-Z0-9]+/$"))
    ticket = Ticket.objects.get(order=order)
    countdown = page.locator(".countdown")
    assert "Your refund of 90.00 PLN will be processed on" in countdown.inner_text()
    shot(page, "portal-refund-countdown-phone")

    # The agent answers (through the service, as the back office does); the customer
    # replies on the page.
    ticket_reply(ticket=ticket, side=Side.SELLER, actor=AGENT,
                 body="Would another date suit you instead?")
    page.reload()
    page.get_by_text("Would another date suit you instead?").wait_for()
    page.get_by_label("Your message").fill("Thank you, but no: please refund.")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Your message has been sent.").wait_for()
    assert ticket.messages.filter(side=Side.CUSTOMER).count() == 2

    # Close (a customer's own refund request is withdrawn) and rate the help.
    page.get_by_role("button", name="Withdraw my request").click()
    page.get_by_text("You withdrew your request").wait_for()
    page.get_by_label("4 – Well").check()
    page.get_by_label("Anything you would like to tell us?").fill("Kind and quick.")
    page.get_by_role("button", name="Send my rating").click()
    page.get_by_text("Thank you for your rating.").wait_for()
    ticket.refresh_from_db()
    assert ticket.rating.score == 4 and ticket.rating.comment == "Kind and quick."
    shot(page, "portal-rated-phone")

    # Keyboard: the rating can be changed without a mouse.
    page.get_by_label("5 – Very well").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Change my rating").focus()
    page.keyboard.press("Enter")
    page.get_by_text("You rated the help 5 of 5.").wait_for()

    # The same page in Hebrew: right to left, still phone-wide.
    page.get_by_label("Language").select_option("he")
    page.locator("form[action='/i18n/setlang/'] button").click()
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    assert page.evaluate("document.documentElement.lang") == "he"
    shot(page, "portal-ticket-he-phone")


def test_thank_you_page_waits_then_shows_the_entries(page, live_server, seller):
    cache.clear()
    museum = make_product(seller, name="Museum entry", kind=ProductKind.OPEN_ENTRY)
    order = make_order(seller, museum, quantity=2)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/o/thanks/{thank_you_token(order)}/")
    page.get_by_text("Waiting for the payment confirmation…").wait_for()
    shot(page, "portal-thank-you-waiting-phone")
    payment_record_event(seller=seller, order_number=order.number, source="test", actor=SYSTEM,
                         report=PaymentReport(provider="manual", transaction_id="tx-browser",
                                              status="confirmed"))
    page.get_by_text("Your payment is confirmed.").wait_for(timeout=15_000)
    for entry in order.entries.all():
        page.locator("bdi", has_text=entry.number).wait_for()
    assert page.locator(".entry-card__qr svg").count() == 2
    shot(page, "portal-thank-you-paid-phone")
    page.get_by_role("link", name="Open your order page").click()
    assert order.number in page.get_by_role("heading", level=1).inner_text()


def test_find_my_order_and_bad_links(page, live_server, order):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/o/find/")
    page.get_by_label("The e-mail address you ordered with").fill(order.email)
    page.get_by_label("Order number or payment id").fill("PID-DOESNOTEXIST")
    page.keyboard.press("Enter")
    page.get_by_text("If these details belong to an order").wait_for()
    miss = page.locator("main").inner_text()
    page.goto(live_server.url + "/o/find/")
    page.get_by_label("The e-mail address you ordered with").fill(order.email)
    page.get_by_label("Order number or payment id").fill(order.number)
    page.get_by_role("button", name="E-mail me a link").click()
    page.get_by_text("If these details belong to an order").wait_for()
    assert page.locator("main").inner_text() == miss
    shot(page, "portal-find-sent-phone")

    token = order_token(order)
    page.goto(live_server.url + f"/o/{token[:-4]}abcd/")
    assert "This link is not valid" in page.locator("h1").inner_text()
    assert order.number not in page.content()
    order_links_revoke(order=order, actor=AGENT, send=False)
    page.goto(live_server.url + f"/o/{token}/")
    assert "This link was replaced" in page.locator("h1").inner_text()
    assert order.number not in page.content()
    shot(page, "portal-link-revoked-phone")
