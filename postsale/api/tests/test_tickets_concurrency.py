"""Opening tickets at the same moment, through a real HTTP server on PostgreSQL: one
refund request per order, one ticket per Idempotency-Key."""

import httpx
import pytest

from postsale.api.models import IdempotencyRecord
from postsale.api.tests.test_idempotency import _fire_concurrently
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.tests.factories import make_token
from postsale.tickets.models import Message, Ticket

BODY = {"type": "refund", "body": "I cannot come."}


@pytest.fixture
def server(live_server, seller):
    order = make_order(seller, make_product(seller, price=4000), quantity=2, paid=True)
    return live_server.url + "/api/v1/tickets", make_token(seller), order


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_refund_requests_open_one_ticket_and_nine_conflicts(server):
    url, token, order = server
    responses = _fire_concurrently(url, token, {"order": order.number, **BODY}, {})
    assert all(isinstance(r, httpx.Response) for r in responses), responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9, [r.text for r in responses]
    opened = next(r.json() for r in responses if r.status_code == 201)
    assert all(r.json()["code"] == "request_open" and opened["number"] in r.json()["message"]
               for r in responses if r.status_code == 409)
    assert Ticket.objects.count() == Message.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_requests_with_one_key_open_one_ticket(server):
    url, token, order = server
    responses = _fire_concurrently(url, token, {"order": order.number, **BODY},
                                   {"Idempotency-Key": "helpdesk-case-42"})
    assert all(isinstance(r, httpx.Response) for r in responses), responses
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.content for r in responses}) == 1
    assert Ticket.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
