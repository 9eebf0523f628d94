"""Tickets over the API: opening (requests, returns, idempotency), reading, listing; the
unhappy paths, tenancy and scopes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from postsale.api.models import IdempotencyRecord
from postsale.api.tests.conftest import assert_error, client_for, post
from postsale.core.models import AuditEvent
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.eligibility import refund_eligibility
from postsale.payments.rules import RequestedBy
from postsale.tickets.models import Message, Side, Ticket, TicketStatus
from postsale.tickets.services import ticket_close, ticket_reply
from postsale.tickets.tests.factories import AGENT, open_ticket

TICKETS = "/api/v1/tickets"
WAW = ZoneInfo("Europe/Warsaw")
MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=WAW)  # no Polish holiday that week


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def ticket_url(number: str, tail: str = "") -> str:
    return f"{TICKETS}/{number}" + (f"/{tail}" if tail else "")


def open_body(order, /, **changes) -> dict:
    return {"order": order.number, "type": "support", "body": "Where are my tickets?",
            **changes}


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def paid(seller, frozen):
    """A paid order of two museum entries at 40.00 PLN, bought on MONDAY."""
    return make_order(seller, make_product(seller, sku="museum", name="Museum entry",
                                           price=4000), quantity=2, paid=True)


@pytest.fixture
def strict(seller, frozen):
    """A paid order of a non-refundable product."""
    product = make_product(seller, sku="gala", name="Gala night", price=10000,
                           non_refundable=True)
    return make_order(seller, product, quantity=1, paid=True)


class TestOpen:
    def test_a_customers_refund_request_is_decided_and_timed_and_mails_both_sides(
            self, api, paid, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            r = post(api, TICKETS, open_body(paid, type="refund", body="I cannot come.\n"
                                                                       "Sorry!"))
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["number"].startswith("TCK-")
        assert (body["order"], body["type"], body["status"], body["opened_by"],
                body["channel"], body["waiting_on"], body["resolution"]) == (
            paid.number, "refund", "open", "customer", "api", "seller", None)
        request = body["refund_request"]
        assert (request["amount"], request["fee"], request["currency"], request["items"],
                request["refund"]) == (8000, 0, "PLN", None, None)
        # A customer's request waits 24 business hours: Monday 10:00 → Tuesday 10:00.
        assert at(request["process_at"]) == MONDAY + timedelta(days=1)
        assert (body["due_step"], at(body["due_at"])) == ("process", MONDAY + timedelta(days=1))
        [message] = body["messages"]
        assert (message["side"], message["body"], message["internal"]) == (
            "customer", "I cannot come.\nSorry!", False)
        assert message["author"] == "Anna Kowalska"
        assert sorted(m.to[0] for m in mail.outbox) == [paid.email,
                                                        paid.seller.account_email]
        assert all(body["number"] in m.subject for m in mail.outbox)
        event = AuditEvent.objects.get(action="ticket.opened")
        assert event.actor.startswith("api:pst_")

    def test_a_seller_opened_refund_request_is_processed_five_minutes_later(self, api, paid):
        r = post(api, TICKETS, open_body(paid, type="refund", opened_by="seller",
                                         items=[f"entry:{paid.entries.first().number}"]))
        assert r.status_code == 201, r.content
        request = r.json()["refund_request"]
        assert at(request["process_at"]) == MONDAY + timedelta(minutes=5)
        assert (request["amount"], request["items"]) == (
            4000, [f"entry:{paid.entries.first().number}"])
        assert r.json()["waiting_on"] == "customer"

    def test_an_unknown_order_is_404_and_nothing_is_stored(self, api, paid):
        body = assert_error(post(api, TICKETS, open_body(paid, order="PID-NOPE1234")), 404,
                            "order_not_found")
        assert "PID-NOPE1234" in body["message"]
        assert Ticket.objects.count() == 0

    def test_a_non_refundable_request_is_422_with_the_reasons_and_nothing_is_stored(
            self, api, strict, django_capture_on_commit_callbacks):
        reasons = refund_eligibility(order=strict, by=RequestedBy.CUSTOMER,
                                     at=MONDAY).reasons
        assert reasons
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            r = post(api, TICKETS, open_body(strict, type="refund"))
        body = assert_error(r, 422, "not_refundable")
        assert all(reason in body["message"] for reason in reasons), body
        assert "support ticket" in body["message"]
        assert Ticket.objects.count() == Message.objects.count() == 0
        assert mail.outbox == []

    def test_the_seller_may_still_refund_what_customers_may_not(self, api, strict):
        r = post(api, TICKETS, open_body(strict, type="refund", opened_by="seller"))
        assert r.status_code == 201, r.content
        assert r.json()["refund_request"]["amount"] == 10000

    def test_an_unpaid_order_cannot_be_asked_to_refund(self, api, seller, frozen):
        order = make_order(seller)
        body = assert_error(post(api, TICKETS, open_body(order, type="refund")), 422,
                            "not_refundable")
        assert order.number in body["message"]
        assert Ticket.objects.count() == 0

    def test_a_second_open_request_is_409_naming_the_first(self, api, paid):
        first = post(api, TICKETS, open_body(paid, type="refund")).json()
        body = assert_error(post(api, TICKETS, open_body(paid, type="refund")), 409,
                            "request_open")
        assert first["number"] in body["message"]
        assert Ticket.objects.count() == 1

    def test_a_cancellation_needs_an_active_subscription(self, api, paid):
        assert_error(post(api, TICKETS, open_body(paid, type="cancellation")), 422,
                     "no_subscription")
        assert Ticket.objects.count() == 0

    @pytest.mark.parametrize("changes, field", [
        ({"type": "complaint"}, "type"),
        ({"type": None}, "type"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"body": "null\x00byte"}, "body"),
        ({"opened_by": "operator"}, "opened_by"),
        ({"items": ["seat:1"]}, "items[0]"),
        ({"items": []}, "items"),
        ({"subject": "two\nlines"}, "subject"),
        ({"order": ""}, "order"),
    ])
    def test_bad_input_is_422_naming_the_field_and_stores_nothing(self, api, paid, changes,
                                                                   field):
        assert_error(post(api, TICKETS, open_body(paid, **changes)), 422, "invalid", field)
        assert Ticket.objects.count() == 0

    def test_items_are_only_for_refunds(self, api, paid):
        assert_error(post(api, TICKETS, open_body(
            paid, items=[f"entry:{paid.entries.first().number}"])), 422, "invalid", "items")

    def test_items_not_of_the_order_are_422(self, api, paid):
        assert_error(post(api, TICKETS, open_body(paid, type="refund",
                                                  items=["entry:TID-00000000"])),
                     422, "invalid", "items")
        assert Ticket.objects.count() == 0

    def test_a_body_that_is_not_json_is_400(self, api):
        assert_error(post(api, TICKETS, "{not json"), 400, "malformed")


class TestReturns:
    def test_a_return_is_new_with_its_lines_and_a_normalized_contact(self, api, paid):
        line = paid.lines.get()
        r = post(api, TICKETS, open_body(paid, type="return", body="One ticket was torn.",
                                         return_details={
                                             "kind": "warranty",
                                             "lines": [{"line": line.pk, "quantity": 1}],
                                             "contact_email": "Anna@Example.com ",
                                             "contact_phone": "601 234 567"}))
        assert r.status_code == 201, r.content
        body = r.json()
        assert (body["type"], body["status"], body["refund_request"]) == ("return", "new", None)
        assert body["return_details"] == {"kind": "warranty",
                                          "lines": [{"line": line.pk, "quantity": 1}],
                                          "contact_email": "Anna@example.com",
                                          "contact_phone": "+48601234567"}
        assert body["due_step"] == "warn"
        assert body["warnings"] == []

    def test_a_mistyped_contact_e_mail_is_accepted_with_a_warning(self, api, paid):
        r = post(api, TICKETS, open_body(paid, type="return", body="Torn.",
                                         return_details={"kind": "warranty",
                                                         "contact_email": "anna@gmial.com"}))
        assert r.status_code == 201, r.content
        [warning] = r.json()["warnings"]
        assert (warning["field"], warning["code"], warning["suggestion"]) == (
            "return_details.contact_email", "email_typo", "anna@gmail.com")

    @pytest.mark.parametrize("details, field, code", [
        ({"kind": "broken"}, "return_details.kind", "invalid"),
        ({"kind": "missing", "lines": [{"line": 999999, "quantity": 1}]},
         "return_details.lines[0]", "invalid"),
        ({"kind": "missing", "lines": [{"line": "LINE", "quantity": 3}]},
         "return_details.lines[0].line", "invalid"),
        ({"kind": "missing", "contact_email": "anna@"}, "return_details.contact_email",
         "invalid_email"),
        ({"kind": "missing", "contact_phone": "12"}, "return_details.contact_phone",
         "invalid_phone"),
    ])
    def test_bad_return_details_are_422_by_field(self, api, paid, details, field, code):
        assert_error(post(api, TICKETS, open_body(paid, type="return",
                                                  return_details=details)), 422, code, field)
        assert Ticket.objects.count() == 0

    def test_more_than_was_bought_is_refused(self, api, paid):
        line = paid.lines.get()
        assert_error(post(api, TICKETS, open_body(paid, type="return", return_details={
            "kind": "missing", "lines": [{"line": line.pk, "quantity": 3}]})),
            422, "invalid", "return_details.lines[0]")

    def test_return_details_are_only_for_returns(self, api, paid):
        assert_error(post(api, TICKETS, open_body(paid, return_details={"kind": "missing"})),
                     422, "invalid", "return_details")


class TestIdempotentOpen:
    KEY = {"Idempotency-Key": "ticket-key-1"}

    def test_the_same_key_gives_the_same_ticket_once(self, api, paid,
                                                     django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            first = post(api, TICKETS, open_body(paid, type="refund"), **self.KEY)
            again = post(api, TICKETS, open_body(paid, type="refund"), **self.KEY)
        assert (first.status_code, again.status_code) == (201, 201)
        assert first.json() == again.json()
        assert Ticket.objects.count() == 1 and Message.objects.count() == 1
        assert len(mail.outbox) == 2

    def test_the_key_with_another_body_is_422(self, api, paid):
        post(api, TICKETS, open_body(paid), **self.KEY)
        assert_error(post(api, TICKETS, open_body(paid, body="Something else"), **self.KEY),
                     422, "idempotency_key_reused", "Idempotency-Key")
        assert Ticket.objects.count() == 1

    def test_a_refused_request_stores_no_key_so_it_may_be_retried(self, api, strict):
        assert_error(post(api, TICKETS, open_body(strict, type="refund"), **self.KEY), 422)
        assert IdempotencyRecord.objects.count() == 0
        r = post(api, TICKETS, open_body(strict, type="refund", opened_by="seller"),
                 **self.KEY)
        assert r.status_code == 201, r.content

    def test_keys_are_per_seller(self, api, other_api, paid, other_seller):
        theirs = make_order(other_seller, make_product(other_seller), paid=True)
        mine = post(api, TICKETS, open_body(paid), **self.KEY).json()
        other = post(other_api, TICKETS, open_body(theirs), **self.KEY)
        assert other.status_code == 201 and other.json()["number"] != mine["number"]


class TestRead:
    def test_the_conversation_includes_marked_notes_and_attachment_metadata(
            self, api, paid, seller):
        from postsale.tickets.attachments import CheckedFile

        ticket = open_ticket(paid, now=MONDAY, attachments=[
            CheckedFile("receipt.txt", "text/plain", b"paid 80 PLN")])
        ticket_reply(ticket=ticket, side=Side.SELLER, body="Checking with the venue.",
                     actor=AGENT, internal=True, now=MONDAY + timedelta(minutes=1))
        ticket_reply(ticket=ticket, side=Side.SELLER, body="Sent again.", actor=AGENT,
                     now=MONDAY + timedelta(minutes=2))
        r = api.get(ticket_url(ticket.number.lower()))
        assert r.status_code == 200, r.content
        body = r.json()
        assert [(m["side"], m["internal"], m["body"]) for m in body["messages"]] == [
            ("customer", False, "Please help."),
            ("seller", True, "Checking with the venue."),
            ("seller", False, "Sent again.")]
        [attachment] = body["messages"][0]["attachments"]
        assert {k: attachment[k] for k in ("name", "content_type", "size")} == {
            "name": "receipt.txt", "content_type": "text/plain", "size": 11}
        assert (body["waiting_on"], body["due_step"]) == ("customer", "warn")
        assert body["refund_request"] is None and body["return_details"] is None

    def test_an_unknown_ticket_is_404(self, api, seller):
        body = assert_error(api.get(ticket_url("TCK-00000000")), 404, "ticket_not_found")
        assert "TCK-00000000" in body["message"]

    def test_a_closed_ticket_shows_its_resolution(self, api, paid):
        ticket = open_ticket(paid, now=MONDAY)
        ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT,
                     now=MONDAY + timedelta(hours=1))
        body = api.get(ticket_url(ticket.number)).json()
        assert (body["status"], body["resolution"], body["closed_by"], body["waiting_on"],
                body["due_step"], body["due_at"]) == ("closed", "solved", "seller", None,
                                                      None, None)


class TestList:
    @pytest.fixture
    def tickets(self, seller, paid, frozen):
        """Five tickets of seller A, one a minute, oldest first: two orders' refund
        requests, a return, two support tickets (one closed)."""
        second = make_order(seller, paid.lines.get().product, paid=True)
        made = []
        for i, (order, type) in enumerate([(paid, "refund"), (second, "refund"),
                                           (paid, "return"), (second, "support"),
                                           (paid, "support")]):
            made.append(open_ticket(order, type=type, now=MONDAY + timedelta(minutes=i)))
        ticket_close(ticket=made[3], side=Side.SELLER, actor=AGENT,
                     now=MONDAY + timedelta(minutes=10))
        return made

    def numbers(self, response) -> list[str]:
        assert response.status_code == 200, response.content
        return [t["number"] for t in response.json()["items"]]

    def test_newest_first_without_the_conversation(self, api, tickets):
        r = api.get(TICKETS)
        assert self.numbers(r) == [t.number for t in reversed(tickets)]
        assert "messages" not in r.json()["items"][0]
        assert r.json()["next_cursor"] is None

    def test_the_number_of_queries_does_not_grow_with_the_page(
            self, api, tickets, paid, django_assert_max_num_queries):
        follow_up = open_ticket(paid, now=MONDAY + timedelta(hours=1))
        Ticket.objects.filter(pk=follow_up.pk).update(previous=tickets[3])
        with django_assert_max_num_queries(3):  # token, token's last use, the page
            assert len(self.numbers(api.get(TICKETS))) == 6

    @pytest.mark.parametrize("filters, picked", [
        ({"type": "refund"}, [1, 0]),
        ({"status": "new"}, [2]),
        ({"status": "closed"}, [3]),
        ({"open": "true"}, [4, 2, 1, 0]),
        ({"open": "false"}, [3]),
        ({"type": "support", "open": "true"}, [4]),
    ])
    def test_filters_combine(self, api, tickets, filters, picked):
        assert self.numbers(api.get(TICKETS, filters)) == [tickets[i].number for i in picked]

    def test_by_order(self, api, tickets, paid):
        assert self.numbers(api.get(TICKETS, {"order": paid.number.lower()})) == [
            tickets[i].number for i in (4, 2, 0)]

    def test_pages_follow_the_cursor_without_gaps_or_repeats(self, api, tickets, paid):
        seen, cursor = [], None
        while True:
            r = api.get(TICKETS, {"limit": 2, **({"cursor": cursor} if cursor else {})})
            seen += self.numbers(r)
            cursor = r.json()["next_cursor"]
            assert len(r.json()["items"]) <= 2
            if cursor is None:
                break
            # a ticket opened meanwhile does not shift the pages
            open_ticket(paid, now=MONDAY + timedelta(hours=1))
        assert seen == [t.number for t in reversed(tickets)]

    @pytest.mark.parametrize("params, field", [
        ({"type": "complaint"}, "type"), ({"status": "waiting"}, "status"),
        ({"open": "maybe"}, "open"), ({"limit": 0}, "limit"), ({"limit": 201}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"), ({"order": "PID\x00"}, "order"),
    ])
    def test_bad_filters_are_422(self, api, seller, params, field):
        assert_error(api.get(TICKETS, params), 422, "invalid", field)


class TestTenancy:
    """Seller B (`other_api`) never sees or touches seller A's tickets: 404 everywhere."""

    @pytest.fixture
    def a_ticket(self, api, paid):
        r = post(api, TICKETS, open_body(paid, type="refund"))
        assert r.status_code == 201
        return Ticket.objects.get(number=r.json()["number"])

    def test_reading_is_404_like_a_missing_ticket(self, other_api, a_ticket):
        theirs = assert_error(other_api.get(ticket_url(a_ticket.number)), 404,
                              "ticket_not_found")
        missing = assert_error(other_api.get(ticket_url("TCK-00000000")), 404)
        assert theirs["message"].replace(a_ticket.number, "X") == missing["message"].replace(
            "TCK-00000000", "X")

    def test_they_are_never_listed(self, other_api, other_seller, a_ticket, frozen):
        theirs = open_ticket(make_order(other_seller, make_product(other_seller), paid=True),
                             now=MONDAY)
        for params in ({}, {"type": "refund"}, {"order": a_ticket.order.number},
                       {"open": "true"}):
            items = other_api.get(TICKETS, params).json()["items"]
            assert [t["number"] for t in items] == ([theirs.number] if params in (
                {}, {"open": "true"}) else []), params

    def test_opening_on_their_order_is_404(self, other_api, paid):
        assert_error(post(other_api, TICKETS, open_body(paid)), 404, "order_not_found")
        assert Ticket.objects.count() == 0

    @pytest.mark.parametrize("tail, body", [
        ("messages", {"body": "Hello from B"}),
        ("messages", {"body": "B's note", "internal": True}),
        ("type", {"type": "support"}),
        ("close", {"side": "customer"}),
    ])
    def test_acting_on_them_is_404_and_changes_nothing(self, other_api, a_ticket, tail, body,
                                                       django_capture_on_commit_callbacks):
        before = (Message.objects.count(), AuditEvent.objects.count())
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            r = post(other_api, ticket_url(a_ticket.number, tail), body)
        assert_error(r, 404, "ticket_not_found")
        a_ticket.refresh_from_db()
        assert (a_ticket.type, a_ticket.status, a_ticket.process_at) == (
            "refund", TicketStatus.OPEN, MONDAY + timedelta(days=1))
        assert (Message.objects.count(), AuditEvent.objects.count()) == before
        assert mail.outbox == []


class TestScopes:
    @pytest.fixture
    def ticket(self, paid):
        return open_ticket(paid, now=MONDAY)

    def test_no_token_is_401(self, client, ticket):
        assert_error(client.get(TICKETS), 401, "unauthorized")
        assert_error(post(client, ticket_url(ticket.number, "close"), {}), 401,
                     "unauthorized")

    def test_without_a_tickets_scope_everything_is_403(self, seller, ticket, paid):
        client = client_for(seller, ["orders:read", "refunds:write"])
        calls = [client.get(TICKETS), client.get(ticket_url(ticket.number)),
                 post(client, TICKETS, open_body(paid)),
                 post(client, ticket_url(ticket.number, "messages"), {"body": "Hi"}),
                 post(client, ticket_url(ticket.number, "type"), {"type": "refund"}),
                 post(client, ticket_url(ticket.number, "close"), {})]
        for r in calls:
            body = assert_error(r, 403, "missing_scope")
            assert "tickets:" in body["message"]
        assert Ticket.objects.count() == 1 and Message.objects.count() == 1

    def test_read_scope_reads_but_does_not_write(self, seller, ticket, paid):
        client = client_for(seller, ["tickets:read"])
        assert client.get(TICKETS).status_code == 200
        assert client.get(ticket_url(ticket.number)).status_code == 200
        body = assert_error(post(client, ticket_url(ticket.number, "close"), {}), 403,
                            "missing_scope")
        assert "tickets:write" in body["message"]
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.OPEN

    def test_write_scope_does_not_read(self, seller, ticket):
        client = client_for(seller, ["tickets:write"])
        assert_error(client.get(ticket_url(ticket.number)), 403, "missing_scope")
