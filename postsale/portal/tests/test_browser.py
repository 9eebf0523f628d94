"""The customer's side in a real browser at phone size: open the link from the e-mail, ask
for a refund of one entry, see the amount and the processing date before and after."""

import re

import pytest
from django.utils import formats, timezone, translation

from postsale.core.tests.browser import ARTIFACTS
from postsale.orders.models import ProductKind
from postsale.orders.tests.factories import make_order, make_product
from postsale.tickets.models import Ticket

from .conftest import order_link

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def order(live_server, seller):
    """Committed data the live server can see (live_server makes the test transactional)."""
    museum = make_product(seller, name="Museum entry", kind=ProductKind.OPEN_ENTRY,
                          price=4500)
    return make_order(seller, museum, quantity=2, paid=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_customer_asks_for_a_refund_on_a_phone(page, live_server, order):
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + order_link(order))
    assert order.number in page.get_by_role("heading", level=1).inner_text()
    assert fits_the_screen(page)

    page.get_by_label("A refund").check()
    preview = page.locator("#refund-preview")
    preview.get_by_text("You can get 90.00 PLN back.").wait_for()
    assert "will be processed on" in preview.inner_text()

    # htmx asks again when the items change: one entry of two.
    first, second = order.entries.values_list("number", flat=True)
    page.get_by_label(re.compile(second)).uncheck()
    preview.get_by_text("You can get 45.00 PLN back.").wait_for()
    page.get_by_label("Message").fill("Only one of us can come, sorry.")
    assert fits_the_screen(page)
    page.screenshot(path=ARTIFACTS / "portal-refund-form-phone.png", full_page=True)

    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/tickets/TCK-[A-Z0-9]+/$"))
    ticket = Ticket.objects.get(order=order)
    assert ticket.refund_keys == [f"entry:{first}"] and ticket.refund_amount == 4500
    countdown = page.locator(".countdown")
    assert "Your refund of 45.00 PLN will be processed on" in countdown.inner_text()
    with translation.override("en"), timezone.override(order.seller.time_zone):
        when = formats.date_format(timezone.localtime(ticket.process_at), "DATETIME_FORMAT")
    assert countdown.locator(f"time[datetime='{ticket.process_at.isoformat()}']"
                             ).inner_text().endswith(when)
    assert page.get_by_role("button", name="Withdraw my request").is_visible()
    assert fits_the_screen(page)
    page.screenshot(path=ARTIFACTS / "portal-refund-ticket-phone.png", full_page=True)

    # The language switcher: the same ticket in Hebrew, right to left, still phone-wide.
    page.get_by_label("Language").select_option("he")
    page.locator("form[action='/i18n/setlang/'] button").click()
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    assert page.url.endswith(f"/tickets/{ticket.number}/")
    assert fits_the_screen(page)
    page.screenshot(path=ARTIFACTS / "portal-refund-ticket-he-phone.png", full_page=True)
