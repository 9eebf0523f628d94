"""The platform operator's pages: the review list across sellers and the abuse flag.
Superusers only; for everybody else they do not exist."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from postsale.backoffice.access import SESSION_KEY
from postsale.core import clock
from postsale.core.audit import Actor
from postsale.core.models import AuditEvent
from postsale.orders.tests.factories import make_order
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member
from postsale.tickets.models import Side, Step
from postsale.tickets.services import ticket_change_type, ticket_close
from postsale.tickets.tests.factories import open_ticket

REVIEW = reverse("backoffice:review")
SELLERS = reverse("backoffice:operator_sellers")
SELLER_SIDE = Actor("user", "agnes")


def saved(order, *, change: bool = False):
    """A customer's refund request the seller closed (or changed) before processing."""
    ticket = open_ticket(order, type="refund")
    if change:
        return ticket_change_type(ticket=ticket, type="support", side=Side.SELLER,
                                  actor=SELLER_SIDE)
    return ticket_close(ticket=ticket, side=Side.SELLER, actor=SELLER_SIDE)


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def root_client(root, client_for):
    return client_for(root)


@pytest.fixture
def paid(seller):
    return make_order(seller, paid=True)


def test_agents_owners_and_strangers_are_refused(agent_client, seller, client_for, paid):
    ticket = saved(paid)
    owner = client_for(make_member(seller, role=Role.OWNER, username="olga").user)
    for client in (agent_client, owner):
        assert client.get(REVIEW).status_code == 404
        assert client.get(SELLERS).status_code == 404
        assert client.post(reverse("backoffice:review_done",
                                   args=[ticket.number])).status_code == 404
        assert client.post(reverse("backoffice:seller_abuse_flag", args=[seller.slug]),
                           {"flagged": "1", "reason": "x"}).status_code == 404
        assert client.get(reverse("backoffice:operator_ticket",
                                  args=[ticket.number])).status_code == 404
    ticket.refresh_from_db()
    seller.refresh_from_db()
    assert ticket.reviewed_at is None and seller.abuse_flagged_at is None
    assert 'href="/backoffice/operator/review/"' not in agent_client.get(
        reverse("backoffice:orders")).text


def test_anonymous_user_is_sent_to_log_in(client):
    for url in (REVIEW, SELLERS):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_review_list_spans_sellers_and_leaves_out_what_needs_no_review(
        root_client, seller, other_seller, paid):
    closed = saved(paid)
    changed = saved(make_order(other_seller, paid=True), change=True)
    withdrawn = open_ticket(make_order(seller, paid=True), type="refund")
    ticket_close(ticket=withdrawn, side=Side.CUSTOMER, actor=SELLER_SIDE)
    own = open_ticket(make_order(seller, paid=True), type="refund", side=Side.SELLER)
    ticket_close(ticket=own, side=Side.SELLER, actor=SELLER_SIDE)
    response = root_client.get(REVIEW)
    assert response.status_code == 200
    html = response.text
    assert closed.number in html and changed.number in html
    assert withdrawn.number not in html and own.number not in html
    assert "Acme Events" in html and "Other Shop" in html
    assert 'aria-current="page">Review<' in html


def test_mark_reviewed_with_a_note(root_client, root, paid):
    ticket = saved(paid)
    response = root_client.post(reverse("backoffice:review_done", args=[ticket.number]),
                                {"note": "Customer was happy with the new date."})
    assert response.status_code == 302 and response["Location"] == REVIEW
    ticket.refresh_from_db()
    assert ticket.reviewed_at is not None and ticket.reviewed_by == root
    event = AuditEvent.objects.get(action="ticket.reviewed")
    assert event.data == {"note": "Customer was happy with the new date."}
    page = root_client.get(REVIEW).text
    assert f'data-ticket="{ticket.number}"' not in page and "Nothing to review." in page
    assert "marked as reviewed" in page
    again = root_client.post(reverse("backoffice:review_done", args=[ticket.number]), {},
                             follow=True)
    assert "is not waiting for a review" in again.text
    assert AuditEvent.objects.filter(action="ticket.reviewed").count() == 1


def test_review_of_an_unknown_ticket_is_404(root_client, db):
    assert root_client.post(reverse("backoffice:review_done",
                                    args=["TCK-NOPE"])).status_code == 404


def test_operator_opens_another_sellers_ticket_by_switching_to_that_seller(
        root_client, other_seller):
    ticket = saved(make_order(other_seller, paid=True))
    response = root_client.get(reverse("backoffice:operator_ticket", args=[ticket.number]))
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:ticket", args=[ticket.number])
    assert root_client.session[SESSION_KEY] == other_seller.pk
    page = root_client.get(response["Location"])
    assert page.status_code == 200 and "review list" in page.text


def test_flagging_a_seller_processes_its_pending_requests_at_once(root_client, seller, paid):
    pending = open_ticket(paid, type="refund")
    assert pending.due_at > clock.now() + timedelta(hours=1)
    response = root_client.post(reverse("backoffice:seller_abuse_flag", args=[seller.slug]),
                                {"flagged": "1", "reason": "Closes every refund request."})
    assert response.status_code == 302 and response["Location"] == SELLERS
    seller.refresh_from_db()
    pending.refresh_from_db()
    assert seller.abuse_flagged_at is not None
    assert pending.due_step == Step.PROCESS and pending.due_at <= clock.now()
    page = root_client.get(SELLERS).text
    row = page.split(f'data-seller="{seller.slug}"')[1].split("</tr>")[0]
    assert "Flagged" in row and "Closes every refund request." in row and "root" in row
    assert "Lift the flag" in row

    root_client.post(reverse("backoffice:seller_abuse_flag", args=[seller.slug]),
                     {"flagged": "0", "reason": "Talked to them."})
    seller.refresh_from_db()
    assert seller.abuse_flagged_at is None


def test_changing_the_flag_needs_a_reason(root_client, seller):
    response = root_client.post(reverse("backoffice:seller_abuse_flag", args=[seller.slug]),
                                {"flagged": "1", "reason": "  "}, follow=True)
    assert "Give a reason" in response.text
    seller.refresh_from_db()
    assert seller.abuse_flagged_at is None
    assert not AuditEvent.objects.filter(action="seller.abuse_flag").exists()


def test_seller_list_searches_and_unknown_seller_is_404(root_client, seller, other_seller):
    page = root_client.get(SELLERS, {"q": "other"}).text
    assert 'data-seller="other"' in page and 'data-seller="acme"' not in page
    assert root_client.post(reverse("backoffice:seller_abuse_flag", args=["nope"]),
                            {"flagged": "1", "reason": "x"}).status_code == 404
