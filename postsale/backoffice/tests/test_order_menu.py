"""The order page's one action menu, and canceling an order from it."""

import re

import pytest
from django.urls import reverse

from postsale.core.models import AuditEvent
from postsale.orders.models import EntryStatus, OrderStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member


def order_url(order) -> str:
    return reverse("backoffice:order", args=[order.number])


def cancel_url(order) -> str:
    return reverse("backoffice:order_cancel", args=[order.number])


def menu(html: str) -> str:
    match = re.search(r'<details class="menu" id="order-actions".*?</details>', html, re.S)
    assert match, "no action menu"
    return match.group(0)


@pytest.fixture
def timed(seller):
    product = make_product(seller, sku="tour", kind=ProductKind.TIMED_ENTRY, price=2500)
    return product, make_slot(product)


class TestMenu:
    def test_a_paid_order_offers_every_action_in_one_place(self, agent_client, seller, timed):
        product, slot = timed
        order = make_order(seller, product, slot=slot, quantity=2, paid=True)
        html = menu(agent_client.get(order_url(order)).text)
        assert f'href="{reverse("backoffice:order_refund", args=[order.number])}"' in html
        assert reverse("backoffice:order_ticket_open", args=[order.number]) in html
        assert 'href="#emails"' in html and "Delivery log (2 e-mails)" in html
        assert f'href="{reverse("backoffice:customer", args=[order.customer_id])}"' in html
        assert 'href="#entries"' in html  # two entries: choose one in the list
        # A paid order is not canceled but refunded: the menu says so instead of a link.
        assert cancel_url(order) not in html
        assert "To cancel it, refund it" in html

    def test_an_unpaid_order_can_be_canceled_but_not_refunded(self, agent_client, seller):
        order = make_order(seller)
        html = menu(agent_client.get(order_url(order)).text)
        assert f'href="{cancel_url(order)}"' in html
        assert "Only paid orders can be refunded." in html
        assert "This order has no entries for a time slot." in html

    def test_one_exchangeable_entry_is_linked_directly(self, agent_client, seller, timed):
        product, slot = timed
        order = make_order(seller, product, slot=slot, quantity=1, paid=True)
        entry = order.entries.get()
        html = menu(agent_client.get(order_url(order)).text)
        assert reverse("backoffice:entry_exchange", args=[order.number, entry.number]) in html

    @pytest.mark.parametrize("role", [Role.VIEWER])
    def test_viewers_get_no_menu(self, seller, client_for, role):
        order = make_order(seller, paid=True)
        page = client_for(make_member(seller, role=role).user).get(order_url(order)).text
        assert 'id="order-actions"' not in page and "Refund…" not in page
        assert 'id="emails"' in page  # the delivery log itself is there to read


class TestCancel:
    def test_agent_cancels_an_unpaid_order_with_a_reason(self, agent_client, seller, timed):
        product, slot = timed
        order = make_order(seller, product, slot=slot, quantity=2)
        page = agent_client.get(cancel_url(order))
        assert page.status_code == 200
        assert "its 2 entries become void" in page.text and 'name="reason"' in page.text
        response = agent_client.post(cancel_url(order), {"reason": "Ordered by mistake"},
                                     follow=True)
        assert response.redirect_chain[-1][0] == order_url(order)
        assert f"Order {order.number} is canceled" in response.text
        order.refresh_from_db()
        assert order.status == OrderStatus.CANCELED
        assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VOID}
        event = AuditEvent.objects.get(action="order.canceled")
        assert event.data["reason"] == "Ordered by mistake"
        assert event.actor_user.username == "agnes"
        # The form sent twice: said plainly, nothing more happens.
        again = agent_client.post(cancel_url(order), {"reason": "again"}, follow=True)
        assert "was already canceled" in again.text
        assert AuditEvent.objects.filter(action="order.canceled").count() == 1

    def test_a_reason_is_required(self, agent_client, seller):
        order = make_order(seller)
        response = agent_client.post(cancel_url(order), {"reason": "  "})
        assert response.status_code == 422 and "Say why the order is canceled" in response.text
        order.refresh_from_db()
        assert order.status == OrderStatus.AWAITING_PAYMENT

    def test_a_paid_order_is_explained_and_refused(self, agent_client, seller):
        order = make_order(seller, paid=True)
        page = agent_client.get(cancel_url(order))
        assert page.status_code == 200 and 'name="reason"' not in page.text
        assert "To cancel it, refund it" in page.text
        assert reverse("backoffice:order_refund", args=[order.number]) in page.text
        response = agent_client.post(cancel_url(order), {"reason": "please"})
        assert response.status_code == 409 and "refund it" in response.text
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID

    def test_others_may_not(self, seller, other_seller, client_for, agent_client):
        order = make_order(seller)
        for role in (Role.VIEWER, Role.DOOR):
            client = client_for(make_member(seller, role=role).user)
            assert client.post(cancel_url(order), {"reason": "x"}).status_code == 403
        theirs = make_order(other_seller)
        assert agent_client.post(cancel_url(theirs), {"reason": "x"}).status_code == 404
        order.refresh_from_db()
        theirs.refresh_from_db()
        assert order.status == theirs.status == OrderStatus.AWAITING_PAYMENT
