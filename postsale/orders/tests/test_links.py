"""Signed order links: valid, expired, tampered, revoked; and the salts keep the three
kinds of token apart."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from postsale.core.audit import Actor
from postsale.orders import links
from postsale.orders.links import LinkState, open_token
from postsale.orders.mail_services import order_links_revoke
from postsale.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db
AGENT = Actor("user", "agnes")


def test_a_fresh_link_opens_its_order(seller):
    order = make_order(seller)
    opened = open_token(links.order_token(order))
    assert opened.state == LinkState.VALID and opened.order == order


def test_tampered_and_made_up_tokens_are_invalid(seller):
    token = links.order_token(make_order(seller))
    for bad in (token[:-2] + "xx", "nonsense", "", token + ":", "é" * 40):
        assert open_token(bad) == links.Opened(LinkState.INVALID)


def test_an_old_link_expires(seller):
    order = make_order(seller)
    token = links.order_token(order)
    with override_settings(POSTSALE_ORDER_LINK_DAYS=2), \
            time_machine.travel(timedelta(days=3)):
        assert open_token(token) == links.Opened(LinkState.EXPIRED)
        assert links.token_expired(token)


def test_revoking_ends_every_earlier_link_and_the_new_one_works(seller, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    order = make_order(seller, paid=True)
    first, second = links.order_token(order), links.thank_you_token(order)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = order_links_revoke(order=order, actor=AGENT)
    assert open_token(first).state == LinkState.REVOKED
    assert open_token(second, salt=links.THANK_YOU_SALT).state == LinkState.REVOKED
    assert order.link_generation == 1
    [sent] = mailoutbox
    assert sent.to == [order.email] and f"Your link to order {order.number}" in sent.subject
    [sent_token] = re.findall(r"/o/([^/\s]+)/", sent.body)
    assert open_token(sent_token).order == order
    assert "replaced the links" in sent.body


def test_revoking_without_sending_sends_nothing(seller, mailoutbox,
                                                django_capture_on_commit_callbacks):
    order = make_order(seller)
    with django_capture_on_commit_callbacks(execute=True):
        order_links_revoke(order=order, actor=AGENT, send=False)
    assert not mailoutbox


def test_links_made_before_generations_still_work(seller):
    from django.core import signing

    order = make_order(seller)
    legacy = signing.TimestampSigner(salt=links.SALT).sign_object({"o": order.pk})
    assert open_token(legacy).order == order


def test_one_kind_of_token_never_opens_another(seller):
    order = make_order(seller)
    assert open_token(links.thank_you_token(order)).state == LinkState.INVALID
    assert open_token(links.return_form_token(order)).state == LinkState.INVALID
    assert open_token(links.order_token(order), salt=links.THANK_YOU_SALT
                      ).state == LinkState.INVALID


def test_a_link_to_a_deleted_order_is_invalid(seller):
    order = make_order(seller)
    token = links.order_token(order)
    order.delete()
    assert open_token(token).state == LinkState.INVALID
