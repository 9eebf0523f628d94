"""The thank-you page after payment: waits (htmx polling) for the confirmation, then
shows the entries; clear messages for expired, canceled and slow payments."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from postsale.core.audit import SYSTEM, Actor
from postsale.orders.links import order_token, thank_you_token
from postsale.orders.mail_services import order_links_revoke
from postsale.orders.services import order_cancel
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.services import PaymentReport, payment_record_event
from postsale.portal.thanks import MAX_POLLS

pytestmark = pytest.mark.django_db


def thanks(order) -> str:
    return f"/o/thanks/{thank_you_token(order)}/"


def pay(order):
    payment_record_event(seller=order.seller, order_number=order.number, source="test",
                         actor=SYSTEM, report=PaymentReport(provider="manual",
                                                            transaction_id="tx-thanks",
                                                            status="confirmed"))


@pytest.fixture
def order(seller):
    return make_order(seller, make_product(seller, name="Museum entry"), quantity=2)


def test_it_waits_for_the_confirmation_and_polls(client, order):
    path = thanks(order)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Waiting for the payment confirmation…" in html
    assert f'hx-get="{path}status/?n=1"' in html
    assert 'hx-trigger="load delay:3s"' in html
    assert "<svg" not in html and "TID-" not in html  # nothing valid to show yet
    assert response["Cache-Control"].count("no-store") == 1


def test_once_paid_the_poll_shows_the_entries_with_qr_codes_and_stops(client, order):
    assert 'data-status="waiting"' in client.get(thanks(order) + "status/?n=1").content.decode()
    pay(order)
    html = client.get(thanks(order) + "status/?n=2").content.decode()
    assert 'data-status="paid"' in html and "hx-get" not in html
    for entry in order.entries.all():
        assert entry.number in html
    assert html.count("<svg") == 2 and "Museum entry" in html
    assert 'href="/o/eyJ' in html and "Open your order page" in html


def test_after_enough_polls_it_says_what_to_do(client, order):
    html = client.get(thanks(order) + f"status/?n={MAX_POLLS}").content.decode()
    assert 'data-status="timeout"' in html and "hx-get" not in html
    assert "Please do not pay again." in html and order.seller.reply_to_email in html


@pytest.mark.parametrize("n", ["-5", "abc", "99999999999999999999"])
def test_a_strange_counter_is_not_an_error(client, order, n):
    assert client.get(thanks(order) + f"status/?n={n}").status_code == 200


def test_a_canceled_order_says_so(client, order):
    order_cancel(order=order, actor=SYSTEM)
    html = client.get(thanks(order)).content.decode()
    assert 'data-status="canceled"' in html and "hx-get" not in html
    assert "This order was canceled" in html


def test_an_expired_order_explains_a_late_payment(client, seller):
    order = make_order(seller)
    order.status = "expired"
    order.save(update_fields=["status"])
    html = client.get(thanks(order)).content.decode()
    assert "expired" in html and "otherwise the money is refunded" in html


@pytest.mark.parametrize("mangle", [lambda t: t[:-3] + "abc", lambda t: "nonsense"])
def test_a_tampered_link_shows_no_data(client, order, mangle):
    response = client.get(f"/o/thanks/{mangle(thank_you_token(order))}/")
    assert response.status_code == 404
    assert order.number not in response.content.decode()


def test_an_expired_or_revoked_link_shows_no_data(client, order):
    path = thanks(order)
    with override_settings(POSTSALE_THANK_YOU_HOURS=1), \
            time_machine.travel(timedelta(hours=2)):
        expired = client.get(path)
    assert expired.status_code == 403 and order.number not in expired.content.decode()
    order_links_revoke(order=order, actor=Actor("user", "agnes"), send=False)
    revoked = client.get(path)
    assert revoked.status_code == 403 and order.number not in revoked.content.decode()


def test_an_order_page_token_is_not_a_thank_you_token(client, order):
    assert client.get(f"/o/thanks/{order_token(order)}/").status_code == 404
