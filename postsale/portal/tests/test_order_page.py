"""The order page behind a signed link: what it shows, and what a bad link shows."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings

from postsale.orders.links import order_token
from postsale.orders.models import ProductKind
from postsale.orders.tests.factories import make_order, make_product
from postsale.tickets.tests.factories import open_ticket

from .conftest import order_link, ticket_link

pytestmark = pytest.mark.django_db


def test_a_valid_link_shows_the_order_its_lines_and_tickets(client, paid):
    ticket = open_ticket(paid, subject="Where are my tickets?")
    response = client.get(order_link(paid))
    assert response.status_code == 200
    html = response.content.decode()
    assert paid.number in html
    assert "Your order is confirmed." in html
    assert "Museum entry" in html and "80.00" in html
    for entry in paid.entries.all():
        assert entry.number in html
    assert ticket.number in html and "Where are my tickets?" in html
    assert "Waiting for the seller" in html
    assert ticket_link(paid, ticket.number) in html
    assert response["Cache-Control"].count("no-store") == 1
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_form_offers_cancellation_only_with_an_active_subscription(client, seller, paid):
    html = client.get(order_link(paid)).content.decode()
    assert 'value="refund"' in html and 'value="cancellation"' not in html
    product = make_product(seller, kind=ProductKind.SUBSCRIPTION, billing_period_months=1)
    subscribed = make_order(seller, product, quantity=1, paid=True)
    html = client.get(order_link(subscribed)).content.decode()
    assert 'value="cancellation"' in html


def test_a_tampered_link_shows_no_data(client, paid):
    token = order_token(paid)
    response = client.get(f"/o/{token[:-2]}xx/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This link is not valid or has expired" in html
    assert paid.number not in html and paid.email not in html


@pytest.mark.parametrize("path", ["/o/nonsense/", "/o/nonsense/tickets/TCK-1/",
                                  "/o/nonsense/refund-check/"])
def test_a_made_up_link_is_not_found(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_an_expired_link_shows_no_data(client, paid):
    path = order_link(paid)
    with time_machine.travel(timedelta(days=3), tick=False), \
            override_settings(POSTSALE_ORDER_LINK_DAYS=2):
        response = client.get(path)
    assert response.status_code == 403
    html = response.content.decode()
    assert "This link has expired" in html
    assert paid.number not in html and "Museum entry" not in html


def test_a_link_to_a_deleted_order_is_not_found(client, seller):
    order = make_order(seller)
    path = order_link(order)
    order.delete()
    assert client.get(path).status_code == 404


def test_the_page_is_in_the_orders_language_right_to_left_for_hebrew(client, paid):
    paid.language = "he"
    paid.save(update_fields=["language"])
    response = client.get(order_link(paid))
    html = response.content.decode()
    assert '<html lang="he" dir="rtl">' in html
    assert response["Content-Language"] == "he"


def test_the_language_switcher_overrides_the_orders_language(client, paid):
    paid.language = "he"
    paid.save(update_fields=["language"])
    client.cookies["django_language"] = "en"
    html = client.get(order_link(paid)).content.decode()
    assert '<html lang="en" dir="ltr">' in html


def test_the_refund_check_partial_follows_the_chosen_items(client, paid):
    entries = list(paid.entries.values_list("number", flat=True))
    url = order_link(paid) + "refund-check/"
    html = client.get(url, {"items_shown": "1", "items": [f"entry:{entries[0]}"]},
                      headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html
    assert "You can get 40.00" in html
    html = client.get(url, {"items_shown": "1"}).content.decode()
    assert "A refund is not possible." in html and "Choose what to refund." in html
    html = client.get(url, {"items_shown": "1", "items": ["entry:TID-NOPE"]}).content.decode()
    assert "not part of this order" in html


def test_choosing_a_type_loads_its_questions(client, paid):
    url = order_link(paid) + "new-ticket/"
    html = client.get(url, {"type": "refund"}).content.decode()
    assert "What should be refunded?" in html and "You can get 80.00" in html
    assert "Monday" in html  # opened on Friday 15:00: processed on Monday 15:00
    html = client.get(url, {"type": "return"}).content.decode()
    assert 'name="return_kind"' in html and 'name="contact_email"' in html
    assert paid.email in html


def test_a_ticket_of_another_order_is_not_found(client, seller, paid):
    other = make_order(seller, paid=True)
    theirs = open_ticket(other, subject="Secret question", body="My secret.")
    response = client.get(ticket_link(paid, theirs.number))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Secret question" not in html and "My secret." not in html
    attachment_url = ticket_link(paid, theirs.number) + "attachments/1/"
    assert client.get(attachment_url).status_code == 404
    assert client.post(ticket_link(paid, theirs.number) + "close/").status_code == 404


def test_forms_need_the_csrf_token(paid):
    client = Client(enforce_csrf_checks=True)
    response = client.post(order_link(paid), {"type": "support", "body": "Hello"})
    assert response.status_code == 403
    assert not paid.tickets.exists()
