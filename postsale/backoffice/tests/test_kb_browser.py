"""Knowledge base and assignment rules in a real browser: the owner adds a rule that
gives box-office returns to one agent, and writes the Hebrew version of an article (the
editor takes right-to-left text); both pages are photographed for review."""

import re

import pytest
from playwright.sync_api import expect

from postsale.core.tests.browser import ARTIFACTS
from postsale.kb.models import Article
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member
from postsale.tickets.models import AssignmentRule

pytestmark = pytest.mark.browser


@pytest.fixture
def owner(live_server, seller):
    make_member(seller, role=Role.AGENT, username="agnes")
    return make_member(seller, role=Role.OWNER, username="olga", password="pw").user


def log_in(page, live_server, next_url: str) -> None:
    page.goto(f"{live_server.url}/backoffice/login/?next={next_url}")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def test_owner_adds_a_rule_and_writes_an_article_in_hebrew(page, live_server, seller, owner):
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "/backoffice/settings/assignment/")
    form = page.locator("#rule-form")
    form.get_by_label("Sales channel").select_option(label="Box office")
    form.get_by_label("Ticket type").select_option(label="Return")
    form.get_by_label("agnes").check()
    form.get_by_role("button", name="Add rule").click()
    page.wait_for_url(re.compile(r"/backoffice/settings/assignment/$"))
    expect(page.get_by_role("status").first).to_contain_text("Assignment rule saved.")
    expect(page.locator("tbody tr")).to_have_count(1)
    rule = AssignmentRule.objects.get()
    assert rule.type == "return" and rule.channel.code == "box-office"
    page.screenshot(path=ARTIFACTS / "backoffice-assignment-rules.png", full_page=True)

    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_role("link", name="Look in spam and other folders").click()
    hebrew = page.locator("#lang-he")
    expect(hebrew).to_have_attribute("open", "")  # the starter article is in Hebrew too
    title = hebrew.get_by_label(re.compile("^Title"))
    expect(title).to_have_value("חיפוש בתיקיית הספאם ובתיקיות אחרות")
    title.fill("חיפוש בספאם")
    page.screenshot(path=ARTIFACTS / "backoffice-kb-editor.png", full_page=True)
    page.get_by_role("button", name="Save article").click()
    expect(page.get_by_role("status").first).to_contain_text("saved")
    article = Article.objects.get(seller=seller, starter_key="spam-and-other-folders")
    assert article.translations.get(language="he").title == "חיפוש בספאם"
