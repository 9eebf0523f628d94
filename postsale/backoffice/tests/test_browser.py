"""The back office in a real browser: log in, filter the orders, open one."""

import re

import pytest

from postsale.core.tests.browser import ARTIFACTS
from postsale.orders.models import ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(live_server, seller):
    """Committed data the live server can see (live_server makes the test transactional)."""
    make_member(seller, role=Role.AGENT, username="agnes", password="pw")
    museum = make_product(seller, name="Museum entry", kind=ProductKind.TIMED_ENTRY,
                          price=4500)
    slot = make_slot(museum)
    make_order(seller, museum, slot=slot, email="anna.kowalska@example.com", paid=True)
    target = make_order(seller, museum, slot=slot, quantity=3, email="jan.nowak@example.com",
                        paid=True)
    make_order(seller, museum, slot=slot, email="awaiting@example.com")
    return target


def test_agent_logs_in_filters_by_email_and_opens_an_order(page, live_server, shop):
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/backoffice/orders/")
    assert "/backoffice/login/" in page.url

    page.get_by_label("Username").fill("agnes")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/backoffice/orders/$"))
    rows = page.locator("#results tbody tr")
    assert rows.count() == 3
    page.screenshot(path=ARTIFACTS / "backoffice-orders.png", full_page=True)

    # htmx swaps the table in place: a value set on the window survives the filtering.
    page.evaluate("window.__notReloaded = true")
    page.get_by_label("Search").fill("jan.nowak@example.com")
    page.get_by_label("Search").press("Enter")
    page.wait_for_url(re.compile(r"q=jan.nowak%40example.com"))
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    assert page.evaluate("window.__notReloaded") is True
    assert shop.number in rows.first.inner_text()

    page.get_by_role("link", name=shop.number).click()
    page.wait_for_url(re.compile(rf"/backoffice/orders/{shop.number}/$"))
    assert page.get_by_role("heading", level=1).inner_text().endswith(shop.number)
    entries = page.locator("section", has=page.get_by_role("heading", name="Entries"))
    for entry in shop.entries.all():
        assert entry.number in entries.inner_text()
    emails = page.locator("section", has=page.get_by_role("heading", name="E-mails sent"))
    assert emails.locator(".badge", has_text="Sent").count() == 2
    page.screenshot(path=ARTIFACTS / "backoffice-order.png", full_page=True)

    # The same page in Hebrew at phone width: right to left, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Language").select_option("he")
    page.locator("form[action='/i18n/setlang/'] button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=ARTIFACTS / "backoffice-order-he-phone.png", full_page=True)
    page.goto(f"{live_server.url}/backoffice/orders/")
    assert page.locator("#results tbody tr").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=ARTIFACTS / "backoffice-orders-he-phone.png", full_page=True)
