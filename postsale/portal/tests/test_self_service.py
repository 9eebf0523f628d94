"""The customer's own mail on the order page: correct the e-mail address (asked about a
typo), get the receipt again; a revoked link shows no data."""

import pytest
from django.core import mail
from django.test import override_settings

from postsale.core.audit import Actor
from postsale.orders.mail_services import order_links_revoke
from postsale.orders.models import Order
from postsale.orders.tests.factories import make_order

from .conftest import order_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    def run(call, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)
    return run


def test_the_order_page_offers_the_receipt_and_the_address_correction(client, paid):
    html = client.get(order_link(paid)).content.decode()
    assert "Get my receipt and entries again" in html
    assert f'href="{order_link(paid)}email/"' in html


def test_an_unpaid_order_offers_no_receipt(client, seller):
    html = client.get(order_link(make_order(seller))).content.decode()
    assert "Get my receipt and entries again" not in html
    assert "e-mailed as soon as the payment is confirmed" in html


def test_customer_corrects_a_typo_in_their_address(client, paid, deliver):
    page = order_link(paid) + "email/"
    assert client.get(page).status_code == 200
    asked = deliver(client.post, page, {"email": "anna@gmial.com"})
    assert asked.status_code == 422
    html = asked.content.decode()
    assert "Which one is right?" in html and 'value="anna@gmail.com"' in html
    assert not mail.outbox and Order.objects.get(pk=paid.pk).email == paid.email

    done = deliver(client.post, page, {"email": "anna@gmial.com",
                                       "email__typo": "anna@gmail.com"})
    assert done.status_code == 302
    paid.refresh_from_db()
    assert paid.email == "anna@gmail.com"
    assert done["Location"] == order_link(paid) and done["Location"] != page[:-6]
    kinds = sorted((m.to[0], m.extra_headers["X-Postsale-Kind"]) for m in mail.outbox)
    assert kinds == [("anna.kowalska@example.com", "email_changed"),
                     ("anna@gmail.com", "email_changed"), ("anna@gmail.com", "entries_delivery"),
                     ("anna@gmail.com", "order_receipt")]
    landed = client.get(done["Location"]).content.decode()
    assert "Your e-mail address is now anna@gmail.com." in landed

    # The page the customer came from was revoked with every other old link.
    old = client.get(page[:-6])
    assert old.status_code == 403
    html = old.content.decode()
    assert "This link was replaced" in html
    assert paid.number not in html and "anna" not in html


def test_keeping_what_was_typed_is_an_answer_too(client, paid, deliver):
    response = deliver(client.post, order_link(paid) + "email/",
                       {"email": "anna@gmial.com", "email__typo": "anna@gmial.com"})
    assert response.status_code == 302
    assert Order.objects.get(pk=paid.pk).email == "anna@gmial.com"


def test_an_answer_about_another_address_does_not_count(client, paid):
    response = client.post(order_link(paid) + "email/",
                           {"email": "anna@hotmial.com", "email__typo": "anna@gmail.com"})
    assert response.status_code == 422 and "anna@hotmail.com" in response.content.decode()


@pytest.mark.parametrize(("email", "error"), [
    ("", "This field is required."), ("anna", "Enter a complete e-mail address"),
    ("anna.kowalska@example.com", "is already this order&#x27;s address")])
def test_bad_addresses_are_form_errors(client, paid, email, error):
    response = client.post(order_link(paid) + "email/", {"email": email})
    assert response.status_code == 422
    assert error in response.content.decode()
    assert Order.objects.get(pk=paid.pk).email == "anna.kowalska@example.com"


def test_receipt_again(client, paid, deliver):
    response = deliver(client.post, order_link(paid) + "receipt/")
    assert response.status_code == 302 and response["Location"] == order_link(paid)
    assert sorted(m.extra_headers["X-Postsale-Kind"] for m in mail.outbox) == [
        "entries_delivery", "order_receipt"]
    assert "We have sent your receipt and entries again" in client.get(
        response["Location"]).content.decode()


@override_settings(POSTSALE_CUSTOMER_MAIL_PER_ORDER=1)
def test_receipt_again_is_rate_limited_with_a_clear_page(client, paid, deliver):
    deliver(client.post, order_link(paid) + "receipt/")
    response = deliver(client.post, order_link(paid) + "receipt/")
    assert response.status_code == 429
    assert "try again in an hour" in response.content.decode()
    assert not mail.outbox


def test_receipt_again_needs_a_post(client, paid):
    assert client.get(order_link(paid) + "receipt/").status_code == 405


def test_receipt_of_an_unpaid_order_is_refused_with_a_message(client, seller):
    order = make_order(seller)
    response = client.post(order_link(order) + "receipt/")
    assert response.status_code == 409
    assert "no receipt yet" in response.content.decode()


@pytest.mark.parametrize("suffix", ["", "email/", "tickets/TCK-X/", "refund-check/"])
def test_a_revoked_link_shows_no_data_anywhere(client, paid, suffix):
    path = order_link(paid) + suffix
    order_links_revoke(order=paid, actor=Actor("user", "agnes"), send=False)
    response = client.get(path)
    assert response.status_code == 403
    html = response.content.decode()
    assert "This link was replaced" in html and "Get a new link by e-mail" in html
    assert paid.number not in html and "Museum" not in html and paid.email not in html


def test_an_email_change_only_works_for_the_links_own_order(client, paid, seller):
    other = make_order(seller, email="other@example.com")
    client.post(order_link(paid) + "email/", {"email": "new@example.com"})
    assert Order.objects.get(pk=paid.pk).email == "new@example.com"
    assert Order.objects.get(pk=other.pk).email == "other@example.com"
