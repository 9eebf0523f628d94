"""The agent's desk in a real browser: an owner changes the calendar (with the live
preview) and adds a closure day, also in Hebrew (right to left); the order's action menu
opens and closes from the keyboard; a viewer gets no action menu."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from postsale.core.tests.browser import ARTIFACTS
from postsale.orders.models import ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.sellers.models import ClosureDay, Role, Seller
from postsale.sellers.tests.factories import make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(live_server, seller):
    """Committed data the live server can see: an owner, an agent, a viewer and a paid
    order of two timed entries."""
    for username, role in (("olga", Role.OWNER), ("agnes", Role.AGENT),
                           ("vera", Role.VIEWER)):
        make_member(seller, role=role, username=username, password="pw")
    museum = make_product(seller, name="Museum entry", kind=ProductKind.TIMED_ENTRY,
                          price=4500)
    return make_order(seller, museum, slot=make_slot(museum), quantity=2,
                      email="jan.nowak@example.com", paid=True)


def log_in(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/backoffice/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def test_owner_changes_the_calendar_and_adds_a_closure_day(page, live_server, desk, seller):
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    log_in(page, live_server, "olga", "/backoffice/orders/")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link",
                                                                name="Calendar").click()
    page.wait_for_url(re.compile(r"/settings/calendar/$"))

    preview = page.locator("#calendar-preview")
    expect(preview).to_contain_text("would be processed at")
    expect(page.get_by_label("Region")).to_contain_text("Mazowieckie")
    before = preview.inner_text()
    page.evaluate("window.__notReloaded = true")
    page.get_by_label("Country").select_option("IL")
    # htmx: the preview and the region list follow the form, before anything is saved.
    expect(page.get_by_label("Region")).not_to_contain_text("Mazowieckie")
    expect(preview).not_to_have_text(before)
    assert page.evaluate("window.__notReloaded") is True
    assert Seller.objects.get(pk=seller.pk).country == "PL"
    page.get_by_label("Public holidays pause the clock").uncheck()
    page.screenshot(path=ARTIFACTS / "backoffice-settings-calendar.png", full_page=True)
    page.get_by_role("button", name="Save calendar").click()
    expect(page.get_by_role("status")).to_contain_text("Calendar saved.")
    seller.refresh_from_db()
    assert (seller.country, seller.pause_on_holidays) == ("IL", False)

    day = date.today() + timedelta(days=3)
    closures = page.locator("#closures")
    closures.get_by_label("Date").fill(day.isoformat())
    closures.get_by_label("Note").fill("Inventory")
    closures.get_by_role("button", name="Add closure day").click()
    expect(page.get_by_role("status")).to_contain_text(f"{day.isoformat()} is now a closure day")
    row = page.locator(f"tr[data-closure='{day.isoformat()}']")
    expect(row).to_contain_text("Inventory")
    expect(page.locator("#calendar-preview")).to_contain_text("Closure day")
    assert ClosureDay.objects.get(seller=seller).date == day

    # The same page in Hebrew: right to left, the settings menu on the right.
    page.locator("#language-switch").select_option("he")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    nav = page.locator(".settings__nav").bounding_box()
    body = page.locator(".settings__body").bounding_box()
    assert nav["x"] > body["x"], "in Hebrew the settings menu is on the right"
    page.screenshot(path=ARTIFACTS / "backoffice-settings-calendar-he.png", full_page=True)


def test_the_action_menu_opens_closes_and_viewers_do_not_get_one(page, live_server, desk,
                                                                 browser):
    order = desk
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "agnes", f"/backoffice/orders/{order.number}/")
    actions = page.locator("#order-actions summary")  # a disclosure: <details>
    actions.focus()
    page.keyboard.press("Enter")
    menu = page.locator("#order-actions")
    expect(menu.get_by_role("link", name="Refund…")).to_be_visible()
    expect(menu).to_contain_text("To cancel it, refund it")
    page.screenshot(path=ARTIFACTS / "backoffice-order-menu.png")
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="Refund…")).to_be_hidden()
    expect(actions).to_be_focused()
    actions.click()
    menu.get_by_role("link", name=re.compile("Delivery log")).click()
    expect(menu.get_by_role("link", name="Refund…")).to_be_hidden()  # closed after use
    assert page.url.endswith("#emails")
    expect(page.get_by_role("heading", name="E-mails sent")).to_be_in_viewport()

    viewer = browser.new_page()
    log_in(viewer, live_server, "vera", f"/backoffice/orders/{order.number}/")
    expect(viewer.get_by_role("heading", name=re.compile(order.number))).to_be_visible()
    expect(viewer.locator("#order-actions")).to_have_count(0)
    expect(viewer.get_by_role("heading", name="E-mails sent")).to_be_visible()
    viewer.screenshot(path=ARTIFACTS / "backoffice-order-viewer.png")
    viewer.close()
