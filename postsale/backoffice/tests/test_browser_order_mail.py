"""The order page's mail actions in a real browser: correct the e-mail (typo question),
resend the receipt, and see the e-mails in the delivery log."""

import re

import pytest
from django.core.cache import cache

from postsale.core.tests.browser import ARTIFACTS
from postsale.orders.models import Order
from postsale.orders.tests.factories import make_order
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member

from .test_browser_actions import log_in

pytestmark = pytest.mark.browser


def test_agent_corrects_the_e_mail_and_resends_the_receipt(page, live_server, seller):
    cache.clear()
    make_member(seller, role=Role.AGENT, username="agnes", password="pw")
    order = make_order(seller, paid=True, email="jan.nowak@gmial.com")
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, f"/backoffice/orders/{order.number}/")

    page.locator("#order-actions summary").click()
    page.get_by_role("link", name="Correct e-mail and resend entries…").click()
    page.wait_for_url(re.compile(r"/email/$"))
    page.get_by_label("Correct e-mail address").fill("jan.nowak@gmial.com")
    page.get_by_role("button", name="Save and send").click()
    page.get_by_text("Which one is right?").wait_for()
    page.screenshot(path=ARTIFACTS / "backoffice-email-typo.png", full_page=True)
    page.get_by_label("jan.nowak@gmail.com (suggested)").check()
    page.get_by_role("button", name="Save and send").click()
    page.get_by_text("The e-mail address is now jan.nowak@gmail.com.").wait_for()
    assert Order.objects.get(pk=order.pk).email == "jan.nowak@gmail.com"

    page.locator("#order-actions summary").click()
    page.get_by_role("button", name="Resend receipt").click()
    page.get_by_text("The receipt and the entries were sent again").wait_for()
    log = page.locator("section[aria-labelledby='emails-title']").inner_text()
    assert log.count("Receipt for order") >= 3  # paid, after the change, resent
    assert "E-mail address changed for order" in log
    page.screenshot(path=ARTIFACTS / "backoffice-order-mail-log.png", full_page=True)
