"""Canned replies on the ticket page: articles found by title or tag, in the customer's
language, with the order's details filled in; inserted into the reply box (with or
without JavaScript), never sent by themselves; one seller's articles never offered on
another's tickets."""

import dataclasses
import html
import re

import pytest
from django.urls import reverse

from postsale.core.audit import SYSTEM
from postsale.kb.models import Article
from postsale.kb.services import article_set_active
from postsale.kb.tests.factories import EDITOR, make_article
from postsale.orders import links
from postsale.orders.drafts import CustomerDraft
from postsale.orders.tests.factories import make_order, make_product, order_draft
from postsale.payments.services import order_submit
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member
from postsale.tickets.models import Message
from postsale.tickets.tests.factories import open_ticket


@pytest.fixture
def polish_order(seller):
    """A Polish customer's order: canned replies come in Polish."""
    draft = dataclasses.replace(
        order_draft(make_product(seller, price=4000), paid=True),
        customer=CustomerDraft(email="zofia@example.com", first_name="Zofia",
                               last_name="Wiśniewska", language="pl"))
    order, _ = order_submit(seller=seller, draft=draft, actor=SYSTEM, source="test")
    return order


@pytest.fixture
def ticket(polish_order):
    return open_ticket(polish_order, body="Nie dostałam e-maila.")


def canned_url(ticket) -> str:
    return reverse("backoffice:ticket_canned", args=[ticket.number])


def page_url(ticket) -> str:
    return reverse("backoffice:ticket", args=[ticket.number])


def inserts(response) -> dict[str, str]:
    """Article slug -> the text its "Insert text" button would put in the reply box."""
    found = {}
    for item in re.findall(r'<li class="canned__item" data-article="([^"]+)">(.*?)</li>',
                           response.text, re.S):
        slug, body = item
        texts = re.findall(r'data-insert="([^"]*)"', body)
        found[slug] = [html.unescape(t) for t in texts]
    return found


def test_search_offers_articles_in_the_customers_language_filled_from_the_order(
        agent_client, seller, polish_order, ticket):
    response = agent_client.get(canned_url(ticket), {"canned": "spam"})
    assert response.status_code == 200 and "<html" not in response.text
    texts = inserts(response)
    assert list(texts) == ["spam-and-other-folders"]
    body, steps = texts["spam-and-other-folders"]
    assert body.startswith("Dostawcy poczty czasem")  # the Polish text
    assert "1. Proszę otworzyć folder Spam" in steps and "od Acme Events." in steps
    assert "{seller_name}" not in steps
    everything = inserts(agent_client.get(canned_url(ticket)))
    assert len(everything) == 8  # no words: every active article
    address = everything["check-the-email-address"][0]
    assert "zofia@example.com" in address and "{order_email}" not in address
    link_step = everything["check-the-email-address"][1].splitlines()[2]
    token = link_step.rsplit("/o/", 1)[1].strip("/")
    assert links.order_from_token(token) == polish_order  # a link to this order's page


def test_all_placeholders_are_filled_in_a_sellers_own_article(agent_client, seller, ticket):
    make_article(seller, slug="hello", tags=["greeting"], en=(
        "Hello", "Dear {customer_name}, about {order_number} ({order_email}): "
                 "write to {support_email} or see {order_link}. {seller_name}. {unknown}"))
    body = inserts(agent_client.get(canned_url(ticket), {"canned": "greeting"}))["hello"][0]
    order = ticket.order
    assert body.startswith(f"Dear Zofia Wiśniewska, about {order.number} (zofia@example.com)"
                           ": write to owner@acme.example or see http://")
    assert body.endswith("/. Acme Events. {unknown}")  # English: no Polish version


def test_without_javascript_the_page_lists_and_inserts_articles(agent_client, seller, ticket):
    listed = agent_client.get(page_url(ticket), {"canned": "filtry"}).text
    assert '<details class="canned" id="canned" open>' in listed
    assert 'data-article="forwarding-and-filters"' in listed
    article = Article.objects.get(seller=seller, starter_key="forwarding-and-filters")
    page = agent_client.get(page_url(ticket), {"insert": article.pk, "part": "checklist"})
    box = page.text.split('id="reply-body"')[1].split("</textarea>")[0]
    assert "1. Proszę otworzyć ustawienia poczty" in html.unescape(box)
    assert "4. Jeśli pocztę porządkuje aplikacja" in html.unescape(box)
    assert Message.objects.filter(ticket=ticket).count() == 1  # nothing sent


def test_other_sellers_and_inactive_articles_are_never_offered(agent_client, seller,
                                                               other_seller, ticket):
    theirs = make_article(other_seller, slug="secret", tags=["spam"], en=("Secret", "Theirs"))
    off = Article.objects.get(seller=seller, starter_key="spam-and-other-folders")
    article_set_active(article=off, active=False, actor=EDITOR)
    assert inserts(agent_client.get(canned_url(ticket), {"canned": "spam"})) == {}
    for pk in (theirs.pk, off.pk, 999999, "x"):
        page = agent_client.get(page_url(ticket), {"insert": pk})
        box = page.text.split('id="reply-body"')[1].split("</textarea>")[0]
        assert box.endswith(">"), box  # empty reply box
    theirs_ticket = open_ticket(make_order(other_seller))
    assert agent_client.get(canned_url(theirs_ticket)).status_code == 404


def test_only_people_who_can_reply_get_canned_replies(seller, client_for, ticket):
    viewer = client_for(make_member(seller, role=Role.VIEWER, username="vera").user)
    door = client_for(make_member(seller, role=Role.DOOR, username="dora").user)
    assert viewer.get(canned_url(ticket)).status_code == 403
    assert door.get(canned_url(ticket)).status_code == 403
    assert 'id="canned"' not in viewer.get(page_url(ticket)).text
