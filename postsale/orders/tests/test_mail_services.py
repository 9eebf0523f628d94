"""Correcting an order's e-mail address, resending its mail, and "find my order"."""

import re

import pytest
from django.test import override_settings

from postsale.core.audit import Actor
from postsale.core.contact import EmailTypo
from postsale.core.errors import Conflict, Invalid, RateLimited
from postsale.core.models import AuditEvent
from postsale.notifications.models import Notification
from postsale.orders import links
from postsale.orders.links import LinkState, open_token
from postsale.orders.mail_services import (
    order_email_change,
    order_link_send,
    order_links_find_send,
    order_receipt_resend,
)
from postsale.orders.models import Customer, Order
from postsale.orders.tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db
AGENT = Actor("user", "agnes")
CUSTOMER = Actor("customer", "anna")


@pytest.fixture
def send(django_capture_on_commit_callbacks, mailoutbox):
    """Run a service and return the e-mails it sent."""

    def run(service, **kwargs):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = service(**kwargs)
        return result, list(mailoutbox)

    return run


@pytest.fixture
def paid(seller):
    return make_order(seller, make_product(seller, name="Museum entry"), paid=True,
                      email="anna@gmial.com")


def test_email_change_confirms_to_the_new_address_and_warns_the_old(paid, send):
    old_link = links.order_token(paid)
    order, sent = send(order_email_change, order=paid, email="anna@gmail.com", actor=CUSTOMER)
    assert order.email == "anna@gmail.com"
    assert Order.objects.get(pk=paid.pk).email == "anna@gmail.com"
    by_kind = {(m.to[0], m.extra_headers["X-Postsale-Kind"]) for m in sent}
    assert by_kind == {("anna@gmail.com", "email_changed"), ("anna@gmial.com", "email_changed"),
                       ("anna@gmail.com", "order_receipt"),
                       ("anna@gmail.com", "entries_delivery")}
    to_new = next(m for m in sent if m.to == ["anna@gmail.com"]
                  and m.extra_headers["X-Postsale-Kind"] == "email_changed")
    to_old = next(m for m in sent if m.to == ["anna@gmial.com"])
    assert to_new.subject == f"E-mail address changed for order {paid.number} – Acme Events"
    [token] = re.findall(r"/o/([^/\s]+)/", to_new.body)
    assert open_token(token).order == order
    assert "/o/" not in to_old.body and "/o/" not in to_old.alternatives[0].content
    assert "anna@gmail.com" not in to_old.body and "an…a@gmail.com" in to_old.body
    assert "If you did not ask for this" in to_old.body
    assert open_token(old_link).state == LinkState.REVOKED
    event = AuditEvent.objects.get(action="order.email_changed")
    assert event.data["from"] == "anna@gmial.com" and event.data["to"] == "anna@gmail.com"


def test_a_likely_typo_is_questioned_unless_confirmed(paid, send):
    with pytest.raises(EmailTypo) as exc:
        order_email_change(order=paid, email="anna@hotmial.com", actor=CUSTOMER)
    assert exc.value.suggestion == "anna@hotmail.com" and exc.value.status == 422
    assert Order.objects.get(pk=paid.pk).email == "anna@gmial.com"
    order, _ = send(order_email_change, order=paid, email="anna@hotmial.com", actor=CUSTOMER,
                    typo_confirmed=True)
    assert order.email == "anna@hotmial.com"


@pytest.mark.parametrize("bad", ["", "anna", "anna@", "a b@example.com",
                                 "x" * 250 + "@example.com"])
def test_bad_addresses_change_nothing(paid, bad):
    with pytest.raises(Invalid):
        order_email_change(order=paid, email=bad, actor=CUSTOMER)
    assert Order.objects.get(pk=paid.pk).email == "anna@gmial.com"
    assert not Notification.objects.filter(kind="email_changed").exists()


def test_the_same_address_is_refused(paid):
    with pytest.raises(Invalid) as exc:
        order_email_change(order=paid, email="anna@gmial.com", actor=CUSTOMER,
                           typo_confirmed=True)
    assert exc.value.code == "email_unchanged"


def test_an_unpaid_order_gets_no_entries_on_change(seller, send):
    order = make_order(seller, email="jan@example.com")
    _, sent = send(order_email_change, order=order, email="jan@example.org", actor=AGENT)
    assert sorted(m.extra_headers["X-Postsale-Kind"] for m in sent) == ["email_changed"] * 2


def test_the_customer_record_follows_when_no_other_order_uses_the_old_address(paid, send):
    customer = paid.customer
    send(order_email_change, order=paid, email="anna@gmail.com", actor=AGENT)
    customer.refresh_from_db()
    assert customer.email == "anna@gmail.com" and paid.customer_id == customer.pk


def test_another_order_at_the_old_address_keeps_the_customer(paid, seller, send):
    other = make_order(seller, email="anna@gmial.com")
    order, _ = send(order_email_change, order=paid, email="anna@gmail.com", actor=AGENT)
    assert order.customer_id != other.customer_id
    assert Customer.objects.get(pk=other.customer_id).email == "anna@gmial.com"
    assert order.customer.email == "anna@gmail.com"
    assert order.customer.full_name == "Anna Kowalska"


def test_an_existing_customer_at_the_new_address_takes_the_order(paid, seller, send):
    known = make_order(seller, email="anna@gmail.com").customer
    order, _ = send(order_email_change, order=paid, email="anna@gmail.com", actor=AGENT)
    assert order.customer_id == known.pk


def test_receipt_resend_sends_receipt_and_entries_to_the_current_address(paid, send):
    _, sent = send(order_receipt_resend, order=paid, actor=CUSTOMER)
    assert sorted(m.extra_headers["X-Postsale-Kind"] for m in sent) == [
        "entries_delivery", "order_receipt"]
    assert {m.to[0] for m in sent} == {"anna@gmial.com"}
    assert AuditEvent.objects.filter(action="order.receipt_resent").count() == 1


def test_no_receipt_before_payment(seller):
    with pytest.raises(Conflict) as exc:
        order_receipt_resend(order=make_order(seller), actor=CUSTOMER)
    assert "as soon as the payment is confirmed" in exc.value.message


@override_settings(POSTSALE_CUSTOMER_MAIL_PER_ORDER=2)
def test_a_customer_cannot_mail_bomb_an_address(paid, send):
    send(order_receipt_resend, order=paid, actor=CUSTOMER)
    send(order_link_send, order=paid, actor=CUSTOMER)
    with pytest.raises(RateLimited) as exc:
        send(order_receipt_resend, order=paid, actor=CUSTOMER)
    assert exc.value.status == 429 and "try again in an hour" in exc.value.message
    # Agents are not limited.
    _, sent = send(order_receipt_resend, order=paid, actor=AGENT)
    assert sent


@override_settings(POSTSALE_CUSTOMER_MAIL_PER_ORDER=1)
def test_the_limit_resets_after_an_hour(paid, send, time_machine):
    from datetime import timedelta

    time_machine.move_to(paid.created_at)
    send(order_link_send, order=paid, actor=CUSTOMER)
    with pytest.raises(RateLimited):
        send(order_link_send, order=paid, actor=CUSTOMER)
    time_machine.shift(timedelta(hours=1, minutes=1))
    _, sent = send(order_link_send, order=paid, actor=CUSTOMER)
    assert len(sent) == 1


@pytest.mark.parametrize("reference", ["number", "lower", "external", "payment"])
def test_find_my_order_matches_number_channel_number_or_payment_id(seller, send, reference):
    order = make_order(seller, email="Jan.Nowak@example.com", external_id="shop-77", paid=True)
    ref = {"number": order.number, "lower": order.number.lower(), "external": "shop-77",
           "payment": order.payments.get().provider_transaction_id}[reference]
    count, sent = send(order_links_find_send, email=" jan.nowak@EXAMPLE.com ", reference=ref)
    assert count == 1
    [mail] = sent
    assert mail.to == ["Jan.Nowak@example.com"] and "someone asked for a link" in mail.body


@pytest.mark.parametrize(("email", "reference"), [
    ("jan@example.com", "PID-NOTHING"), ("someone@else.com", "{number}"), ("", "{number}"),
    ("jan@example.com", ""), ("jan@example.com", "x" * 500)])
def test_find_my_order_sends_nothing_without_a_match(seller, send, email, reference):
    order = make_order(seller, email="jan@example.com")
    count, sent = send(order_links_find_send, email=email,
                       reference=reference.format(number=order.number))
    assert count == 0 and not sent


def test_find_within_one_seller_ignores_other_sellers(seller, other_seller, send):
    order = make_order(other_seller, email="jan@example.com")
    count, _ = send(order_links_find_send, email="jan@example.com", reference=order.number,
                    seller=seller)
    assert count == 0
