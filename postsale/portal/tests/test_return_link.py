"""The return-form link a sales channel puts in its own e-mails (/r/<seller>/): e-mail +
order number → the return form, and nothing else of the order."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from postsale.orders.links import order_token, return_form_token
from postsale.orders.models import ProductKind
from postsale.orders.tests.factories import make_order, make_product
from postsale.tickets.models import Channel, ReturnKind, Side, Ticket, TicketStatus, TicketType

from .test_open_ticket import png_bytes

pytestmark = pytest.mark.django_db
START = "/r/acme/"


@pytest.fixture
def order(seller):
    kettle = make_product(seller, name="Kettle", kind=ProductKind.GOODS, price=12000)
    return make_order(seller, kettle, quantity=2, paid=True, email="ola@example.com",
                      external_id="ALG-778899")


def form_path(response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    assert re.fullmatch(r"/r/acme/[^/]+/", response["Location"])
    return response["Location"]


def test_the_start_page_asks_for_the_e_mail_and_the_order_number(client, seller):
    html = client.get(START).content.decode()
    assert "Acme Events" in html and 'name="email"' in html and 'name="reference"' in html


def test_an_unknown_seller_is_not_found(client, db):
    assert client.get("/r/nobody/").status_code == 404


@pytest.mark.parametrize("reference", ["ALG-778899", "number"])
def test_matching_details_open_the_return_form_and_nothing_else(client, order, reference):
    ref = order.number if reference == "number" else reference
    form = client.get(form_path(client.post(START, {"email": "OLA@example.com",
                                                    "reference": ref})))
    assert form.status_code == 200
    html = form.content.decode()
    assert order.number in html and "Kettle" in html and 'name="return_kind"' in html
    for entry_or_link in ["/o/", "TID-", "Your questions and requests"]:
        assert entry_or_link not in html


def test_the_customer_sends_a_return_with_a_photo(client, order,
                                                  django_capture_on_commit_callbacks):
    path = form_path(client.post(START, {"email": "ola@example.com",
                                         "reference": "ALG-778899"}))
    line = order.lines.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {
            "return_kind": ReturnKind.WARRANTY, f"line-{line.pk}": "1",
            "contact_email": "ola@example.com", "contact_phone": "601 234 567",
            "body": "The kettle leaks.",
            "attachments": [SimpleUploadedFile("leak.png", png_bytes(), "image/png")]})
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.type, ticket.status, ticket.opened_by, ticket.channel) == (
        TicketType.RETURN, TicketStatus.NEW, Side.CUSTOMER, Channel.PORTAL)
    assert ticket.return_lines == [{"line": line.pk, "quantity": 1}]
    assert ticket.messages.get().attachments.count() == 1
    html = response.content.decode()
    assert ticket.number in html and "/o/" not in html
    customer_copy = next(m for m in mail.outbox if m.to == ["ola@example.com"])
    assert "/o/" in customer_copy.body  # the link to follow it goes to the order's address


def test_the_contact_e_mail_is_checked_for_typos(client, order):
    path = form_path(client.post(START, {"email": "ola@example.com",
                                         "reference": "ALG-778899"}))
    line = order.lines.get()
    data = {"return_kind": ReturnKind.MISSING, f"line-{line.pk}": "1",
            "contact_email": "ola@gmial.com", "body": "One is missing."}
    asked = client.post(path, data)
    assert asked.status_code == 422 and "Which one is right?" in asked.content.decode()
    assert not Ticket.objects.exists()
    done = client.post(path, data | {"contact_email__typo": "ola@gmail.com"})
    assert done.status_code == 200
    assert Ticket.objects.get().contact_email == "ola@gmail.com"


def test_a_return_form_with_mistakes_keeps_what_was_typed(client, order):
    path = form_path(client.post(START, {"email": "ola@example.com",
                                         "reference": "ALG-778899"}))
    response = client.post(path, {"body": "It broke after a week.",
                                  f"line-{order.lines.get().pk}": "9"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose what kind of return this is." in html and "It broke after a week." in html
    assert not Ticket.objects.exists()


def test_details_that_do_not_match_get_the_neutral_answer(client, order, other_seller):
    elsewhere = make_order(other_seller, email="ola@example.com")
    for data in ({"email": "ola@example.com", "reference": "ALG-000"},
                 {"email": "someone@example.com", "reference": "ALG-778899"},
                 {"email": "ola@example.com", "reference": elsewhere.number}):
        response = client.post(START, data)
        assert response.status_code == 200
        assert "If these details belong to an order" in response.content.decode()


def test_a_return_token_opens_only_its_sellers_path(client, order, other_seller):
    token = return_form_token(order)
    assert client.get(f"/r/acme/{token}/").status_code == 200
    assert client.get(f"/r/other/{token}/").status_code == 404
    # And it is not a key to the order page, nor an order page token a return token.
    assert client.get(f"/o/{token}/").status_code == 404
    assert client.get(f"/r/acme/{order_token(order)}/").status_code == 404


def test_the_return_token_expires_within_hours(client, order):
    path = f"/r/acme/{return_form_token(order)}/"
    with time_machine.travel(timedelta(hours=3)):
        response = client.get(path)
    assert response.status_code == 403 and order.number not in response.content.decode()


@override_settings(POSTSALE_FIND_ORDER_PER_IP=2)
def test_guessing_is_rate_limited(client, order):
    for n in range(2):
        client.post(START, {"email": "ola@example.com", "reference": f"ALG-{n}"})
    response = client.post(START, {"email": "ola@example.com", "reference": "ALG-778899"})
    assert response.status_code == 429
