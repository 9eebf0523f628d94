"""The order page's mail actions: correct the e-mail and resend the entries (typo
question), resend the receipt, revoke the links and send a new one; who may; tenancy."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from postsale.analytics.services import rating_submit
from postsale.core.models import AuditEvent
from postsale.orders.links import LinkState, open_token, order_token
from postsale.orders.models import Order
from postsale.orders.tests.factories import make_order
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member
from postsale.tickets.models import Side
from postsale.tickets.services import ticket_close, ticket_reply
from postsale.tickets.tests.factories import AGENT, CUSTOMER, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def paid(seller):
    return make_order(seller, paid=True, email="anna@gmial.com")


def url(name: str, order) -> str:
    return reverse(f"backoffice:{name}", args=[order.number])


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    def run(call, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)
    return run


def test_the_order_page_offers_the_mail_actions_to_agents(agent_client, paid):
    html = agent_client.get(url("order", paid)).content.decode()
    assert "Correct e-mail and resend entries…" in html
    assert f'action="{url("order_receipt_resend", paid)}"' in html
    assert f'action="{url("order_links_revoke", paid)}"' in html


def test_viewers_see_no_mail_actions_and_cannot_post_them(client_for, seller, paid):
    viewer = client_for(make_member(seller, role=Role.VIEWER).user)
    assert "Resend receipt" not in viewer.get(url("order", paid)).content.decode()
    for name in ("order_email", "order_receipt_resend", "order_links_revoke"):
        assert viewer.post(url(name, paid), {"email": "x@example.com"}).status_code == 403
    assert Order.objects.get(pk=paid.pk).link_generation == 0


def test_agent_corrects_a_typo_after_the_question(agent_client, paid, deliver):
    page = url("order_email", paid)
    assert 'value="anna@gmial.com"' in agent_client.get(page).content.decode()
    asked = agent_client.post(page, {"email": "anna@gmial.com"})
    # The same address again: it still looks mistyped, so the typo question comes first.
    assert asked.status_code == 422 and "Which one is right?" in asked.content.decode()
    response = deliver(agent_client.post, page, {"email": "anna@gmial.com",
                                                 "email__typo": "anna@gmail.com"})
    assert response.status_code == 302
    assert response["Location"] == url("order", paid) + "#emails-title"
    paid.refresh_from_db()
    assert paid.email == "anna@gmail.com"
    assert sorted(m.extra_headers["X-Postsale-Kind"] for m in mail.outbox
                  if m.to == ["anna@gmail.com"]) == ["email_changed", "entries_delivery",
                                                     "order_receipt"]
    event = AuditEvent.objects.get(action="order.email_changed")
    assert event.actor_user is not None
    html = agent_client.get(response["Location"]).content.decode()
    assert "The e-mail address is now anna@gmail.com." in html


@pytest.mark.parametrize(("email", "message"), [
    ("", "This field is required."), ("anna@", "Enter a complete e-mail address")])
def test_bad_input_changes_nothing(agent_client, paid, email, message):
    response = agent_client.post(url("order_email", paid), {"email": email})
    assert response.status_code == 422 and message in response.content.decode()
    assert Order.objects.get(pk=paid.pk).email == "anna@gmial.com"


def test_the_unchanged_address_is_refused_with_a_message(agent_client, seller):
    order = make_order(seller, email="jan@example.com")
    response = agent_client.post(url("order_email", order), {"email": "jan@example.com"})
    assert response.status_code == 422
    assert "is already this order" in response.content.decode()


def test_resend_receipt(agent_client, paid, deliver):
    response = deliver(agent_client.post, url("order_receipt_resend", paid))
    assert response.status_code == 302
    assert sorted(m.extra_headers["X-Postsale-Kind"] for m in mail.outbox) == [
        "entries_delivery", "order_receipt"]


def test_resend_receipt_of_an_unpaid_order_says_why(agent_client, seller):
    order = make_order(seller)
    response = agent_client.post(url("order_receipt_resend", order), follow=True)
    assert "has no receipt yet" in response.content.decode()


def test_revoke_links_and_send_a_new_one(agent_client, paid, deliver):
    old = order_token(paid)
    response = deliver(agent_client.post, url("order_links_revoke", paid))
    assert response.status_code == 302
    assert open_token(old).state == LinkState.REVOKED
    [sent] = mail.outbox
    [token] = re.findall(r"/o/([^/\s]+)/", sent.body)
    assert open_token(token).state == LinkState.VALID


def test_another_sellers_order_is_not_found(agent_client, other_seller):
    order = make_order(other_seller)
    for name in ("order_email", "order_receipt_resend", "order_links_revoke"):
        assert agent_client.post(url(name, order), {"email": "x@example.com"}
                                 ).status_code == 404
    assert agent_client.get(url("order_email", order)).status_code == 404
    assert Order.objects.get(pk=order.pk).link_generation == 0


def test_agents_see_the_customers_rating_on_the_ticket_page(agent_client, paid):
    ticket = open_ticket(paid)
    ticket_reply(ticket=ticket, side=Side.SELLER, actor=AGENT, body="Done.")
    ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT)
    rating_submit(ticket=ticket, score=2, comment="Slow answer.", actor=CUSTOMER)
    html = agent_client.get(reverse("backoffice:ticket", args=[ticket.number])
                            ).content.decode()
    assert "Customer's rating" in html and 'data-score="2"' in html
    assert "Slow answer." in html
