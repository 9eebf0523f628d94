"""Find my order: a fresh link by e-mail; the page never tells whether an order exists;
rate-limited per client address and per e-mail address."""

import re
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings

from postsale.orders.links import LinkState, open_token
from postsale.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db
FIND = "/o/find/"


def normalized(response) -> str:
    """The page without what differs on every request (the CSRF token)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """Posts deliver the mail they queue (the outbox sends on commit)."""
    post = client.post

    def post_and_deliver(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    client.post = post_and_deliver
    return client


@pytest.fixture
def order(seller):
    return make_order(seller, email="jan.nowak@example.com", external_id="shop-1001",
                      paid=True)


def test_the_page_has_a_labeled_form(client, db):
    html = client.get(FIND).content.decode()
    assert '<label for="id_email">' in html and '<label for="id_reference">' in html
    assert 'autocomplete="email"' in html


def test_a_match_e_mails_a_fresh_link_to_the_orders_address(client, order):
    mail.outbox.clear()
    response = client.post(FIND, {"email": "JAN.NOWAK@example.com", "reference": order.number})
    assert response.status_code == 200
    assert "If these details belong to an order" in response.content.decode()
    [sent] = mail.outbox
    assert sent.to == ["jan.nowak@example.com"]
    [token] = re.findall(r"/o/([^/\s]+)/", sent.body)
    assert open_token(token).state == LinkState.VALID
    assert order.number not in response.content.decode()


@pytest.mark.parametrize("reference", ["shop-1001", "payment"])
def test_the_channels_number_or_the_payment_id_work_too(client, order, reference):
    mail.outbox.clear()
    ref = order.payments.get().provider_transaction_id if reference == "payment" else reference
    client.post(FIND, {"email": "jan.nowak@example.com", "reference": ref})
    assert len(mail.outbox) == 1


def test_the_answer_is_the_same_whether_or_not_an_order_matches(client, order, other_seller):
    stranger = make_order(other_seller, email="someone@example.com")
    hit = client.post(FIND, {"email": "jan.nowak@example.com", "reference": order.number})
    miss_number = client.post(FIND, {"email": "jan.nowak@example.com",
                                     "reference": "PID-NOPE1234"})
    wrong_owner = client.post(FIND, {"email": "jan.nowak@example.com",
                                     "reference": stranger.number})
    assert hit.status_code == miss_number.status_code == wrong_owner.status_code == 200
    assert normalized(hit) == normalized(miss_number) == normalized(wrong_owner)
    assert set(hit.headers) == set(miss_number.headers)


def test_the_same_work_is_queued_in_both_cases(client, order):
    with mock.patch("postsale.portal.find.find_order_and_send_link") as task:
        client.post(FIND, {"email": "jan.nowak@example.com", "reference": order.number})
        client.post(FIND, {"email": "jan.nowak@example.com", "reference": "PID-NOPE1234"})
    assert task.enqueue.call_args_list == [
        mock.call("jan.nowak@example.com", order.number),
        mock.call("jan.nowak@example.com", "PID-NOPE1234")]


@pytest.mark.parametrize(("data", "error"), [
    ({"email": "", "reference": "PID-1"}, "This field is required."),
    ({"email": "jan@", "reference": "PID-1"}, "Enter a complete e-mail address"),
    ({"email": "jan@example.com", "reference": ""}, "This field is required."),
    ({"email": "jan@example.com", "reference": "x" * 200}, "at most 128 characters"),
    ({"email": "jan@example.com", "reference": "PID\x00"}, "Null characters are not allowed"),
])
def test_bad_input_is_a_form_error_and_sends_nothing(client, order, data, error):
    mail.outbox.clear()
    response = client.post(FIND, data)
    assert response.status_code == 422
    assert error in response.content.decode()
    assert not mail.outbox


def test_a_likely_typo_is_asked_about_before_anything_is_sent(client, order):
    mail.outbox.clear()
    response = client.post(FIND, {"email": "jan.nowak@gmial.com", "reference": order.number})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Which one is right?" in html and 'value="jan.nowak@gmail.com"' in html
    assert not mail.outbox
    kept = client.post(FIND, {"email": "jan.nowak@gmial.com", "reference": order.number,
                              "email__typo": "jan.nowak@gmial.com"})
    assert kept.status_code == 200 and "jan.nowak@gmial.com" in kept.content.decode()


@override_settings(POSTSALE_FIND_ORDER_PER_IP=3, POSTSALE_FIND_ORDER_PER_EMAIL=100)
def test_too_many_attempts_from_one_address_get_a_clear_429(client, order):
    for i in range(3):
        assert client.post(FIND, {"email": f"p{i}@example.com", "reference": "X"}
                           ).status_code == 200
    response = client.post(FIND, {"email": "jan.nowak@example.com", "reference": order.number})
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert "Too many attempts" in response.content.decode()
    # Another client is not affected.
    assert client.post(FIND, {"email": "x@example.com", "reference": "X"},
                       REMOTE_ADDR="10.9.9.9").status_code == 200


@override_settings(POSTSALE_FIND_ORDER_PER_IP=100, POSTSALE_FIND_ORDER_PER_EMAIL=2)
def test_too_many_attempts_for_one_e_mail_address_from_anywhere(client, order):
    for ip in ("10.0.0.1", "10.0.0.2"):
        client.post(FIND, {"email": "jan.nowak@example.com", "reference": "X"},
                    REMOTE_ADDR=ip)
    mail.outbox.clear()
    response = client.post(FIND, {"email": "Jan.Nowak@example.com",
                                  "reference": order.number}, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 429 and not mail.outbox


@override_settings(POSTSALE_PROXY_COUNT=1, POSTSALE_FIND_ORDER_PER_IP=1)
def test_behind_a_proxy_the_forwarded_client_address_counts(client, order):
    def ask(forwarded):
        return client.post(FIND, {"email": "a@example.com", "reference": "X"},
                           REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=forwarded)
    assert ask("203.0.113.5").status_code == 200
    assert ask("203.0.113.6").status_code == 200
    # A client cannot escape by forging what comes before the proxy's entry.
    assert ask("1.2.3.4, 203.0.113.5").status_code == 429
