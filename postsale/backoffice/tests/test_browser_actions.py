"""Refund and exchange in a real browser: with htmx for the check step, and without
JavaScript at all."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from postsale.core.tests.browser import ARTIFACTS
from postsale.orders.models import EntryStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments.models import Exchange, ExchangeStatus, Refund, RefundStatus
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(live_server, seller):
    """Committed data the live server can see (live_server makes the test transactional):
    a paid order of three timed entries, and a second time slot with room."""
    make_member(seller, role=Role.AGENT, username="agnes", password="pw")
    museum = make_product(seller, name="Museum entry", kind=ProductKind.TIMED_ENTRY,
                          price=4500)
    slot = make_slot(museum)
    later = make_slot(museum, capacity=20, starts_in=timedelta(days=14))
    order = make_order(seller, museum, slot=slot, quantity=3, email="jan.nowak@example.com",
                       paid=True)
    return order, later


def log_in(page, live_server, next_url: str) -> None:
    page.goto(f"{live_server.url}/backoffice/login/?next={next_url}")
    page.get_by_label("Username").fill("agnes")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def test_agent_refunds_one_entry_and_sees_it_processed(page, live_server, shop):
    order, _ = shop
    first, *others = order.entries.order_by("id")
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, f"/backoffice/orders/{order.number}/")

    page.locator("#order-actions summary").click()  # the order's one action menu
    page.get_by_role("link", name="Refund…").click()
    page.wait_for_url(re.compile(r"/refund/$"))
    for entry in others:  # every item starts selected: keep only the first
        page.get_by_role("checkbox", name=re.compile(entry.number)).uncheck()
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state("networkidle")
    decision = page.locator("#refund-decision")
    # htmx re-checks on every change, and swaps the decision in without a page load
    expect(decision.locator("tbody tr")).to_have_count(1)
    expect(decision.get_by_role("heading", name="The refund is possible")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    assert "45.00 PLN" in decision.inner_text()
    assert Refund.objects.count() == 0  # checking changes nothing
    page.screenshot(path=ARTIFACTS / "backoffice-refund-check.png", full_page=True)

    page.get_by_role("button", name="Confirm refund").click()
    page.wait_for_url(re.compile(rf"/backoffice/orders/{order.number}/#refunds$"))
    refund = Refund.objects.get()
    assert page.get_by_role("status").filter(has_text=refund.number).count() == 1
    refunds = page.locator("section", has=page.get_by_role("heading", name="Refunds"))
    row = refunds.locator(f"tr[data-refund='{refund.number}']")
    assert row.locator(".badge").inner_text() == "Refunded"  # processed on commit
    assert first.number in row.inner_text()
    entries = page.locator("section", has=page.get_by_role("heading", name="Entries"))
    assert entries.locator("tr", has_text=first.number).locator(".badge").inner_text() == "Void"
    page.screenshot(path=ARTIFACTS / "backoffice-refund-done.png", full_page=True)

    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == 4500
    first.refresh_from_db()
    assert first.status == EntryStatus.VOID
    assert {e.status for e in others} == {EntryStatus.VALID}


@pytest.mark.parametrize("browser_context_args", [{"java_script_enabled": False}],
                         indirect=True)
def test_without_javascript_an_agent_exchanges_an_entry(page, live_server, shop):
    order, later = shop
    entry = order.entries.order_by("id").first()
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, f"/backoffice/orders/{order.number}/")

    page.get_by_role("link", name=f"Exchange… {entry.number}").click()
    page.wait_for_url(re.compile(rf"/entries/{entry.number}/exchange/$"))
    page.get_by_role("radio", name=re.compile("20 places left")).check()
    page.get_by_role("button", name="See the quote").click()
    page.wait_for_url(re.compile(rf"time_slot={later.pk}"))  # a full page load, no htmx
    page.get_by_role("heading", name="The exchange is possible").wait_for()
    assert "Nothing more to pay." in page.locator("#exchange-quote").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=ARTIFACTS / "backoffice-exchange-quote-phone.png", full_page=True)

    page.get_by_role("button", name="Confirm exchange").click()
    page.wait_for_url(re.compile(rf"/backoffice/orders/{order.number}/#exchanges$"))
    exchange = Exchange.objects.get()
    assert exchange.status == ExchangeStatus.COMPLETED
    assert page.get_by_role("status").filter(
        has_text=f"{entry.number} was exchanged for {exchange.new_entry.number}.").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=ARTIFACTS / "backoffice-exchange-done-phone.png", full_page=True)
