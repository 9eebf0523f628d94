"""Acting on a ticket over the API: replies and notes (JSON and multipart with files),
changing the type, closing — with the timers and reviews they imply."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from PIL import Image

from postsale.api.tests.conftest import assert_error, post
from postsale.api.tests.test_tickets_api import MONDAY, at, open_body, ticket_url
from postsale.core.periodic import run_sweep
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.models import Refund
from postsale.tickets.models import Attachment, Message, Side, Ticket, TicketType
from postsale.tickets.services import ticket_close
from postsale.tickets.tests.factories import AGENT, open_ticket

TICKETS = "/api/v1/tickets"


@pytest.fixture
def frozen():
    import time_machine

    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def paid(seller, frozen):
    return make_order(seller, make_product(seller, sku="museum", name="Museum entry",
                                           price=4000), quantity=2, paid=True)


@pytest.fixture
def support(paid):
    """A support ticket the customer opened on MONDAY."""
    return open_ticket(paid, now=MONDAY)


@pytest.fixture
def request_ticket(api, paid):
    """A customer's refund request opened through the API on MONDAY."""
    r = post(api, TICKETS, open_body(paid, type="refund"))
    assert r.status_code == 201, r.content
    return Ticket.objects.get(number=r.json()["number"])


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


class TestMessages:
    def test_a_seller_reply_mails_both_sides_and_waits_on_the_customer(
            self, api, support, paid, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            r = post(api, ticket_url(support.number, "messages"),
                     {"body": "Your entries are attached again."})
        assert r.status_code == 201, r.content
        body = r.json()
        message = body["message"]
        assert (message["side"], message["internal"], message["body"]) == (
            "seller", False, "Your entries are attached again.")
        assert message["author"] == paid.seller.name  # never the token's prefix
        assert body["ticket"]["number"] == support.number
        assert body["ticket"]["waiting_on"] == "customer"
        assert body["ticket"]["messages"][-1]["id"] == message["id"]
        assert sorted(m.to[0] for m in mail.outbox) == [paid.email, paid.seller.account_email]
        customer_copy = next(m for m in mail.outbox if m.to == [paid.email])
        assert "pst_" not in customer_copy.body

    def test_a_relayed_customer_reply_is_the_customers(self, api, support):
        r = post(api, ticket_url(support.number, "messages"),
                 {"body": "Thanks!", "side": "customer"})
        assert r.status_code == 201, r.content
        assert r.json()["message"]["author"] == "Anna Kowalska"
        assert r.json()["ticket"]["waiting_on"] == "seller"

    def test_an_internal_note_mails_nobody_and_moves_no_timer(
            self, api, support, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            r = post(api, ticket_url(support.number, "messages"),
                     {"body": "VIP, be nice.", "internal": True})
        assert r.status_code == 201, r.content
        assert r.json()["message"]["internal"] is True
        assert mail.outbox == []
        ticket = r.json()["ticket"]
        assert (ticket["waiting_on"], at(ticket["last_public_at"])) == ("seller", MONDAY)
        assert api.get(ticket_url(support.number)).json()["messages"][-1]["internal"] is True

    def test_a_customer_cannot_write_internal_notes(self, api, support):
        assert_error(post(api, ticket_url(support.number, "messages"),
                          {"body": "secret", "side": "customer", "internal": True}),
                     403, "forbidden")
        assert Message.objects.count() == 1

    def test_the_seller_cannot_write_on_a_closed_ticket(self, api, support):
        ticket_close(ticket=support, side=Side.SELLER, actor=AGENT,
                     now=MONDAY + timedelta(minutes=1))
        body = assert_error(post(api, ticket_url(support.number, "messages"),
                                 {"body": "One more thing"}), 409, "ticket_closed")
        assert support.number in body["message"]
        assert Message.objects.filter(body="One more thing").count() == 0

    def test_a_customer_reply_reopens_a_recently_closed_ticket(self, api, support, frozen):
        ticket_close(ticket=support, side=Side.SELLER, actor=AGENT,
                     now=MONDAY + timedelta(minutes=1))
        r = post(api, ticket_url(support.number, "messages"),
                 {"body": "It still does not work.", "side": "customer"})
        assert r.status_code == 201, r.content
        assert (r.json()["ticket"]["number"], r.json()["ticket"]["status"]) == (
            support.number, "open")

    def test_a_customer_reply_long_after_closing_opens_a_follow_up(self, api, support,
                                                                    frozen):
        ticket_close(ticket=support, side=Side.SELLER, actor=AGENT,
                     now=MONDAY + timedelta(minutes=1))
        frozen.shift(timedelta(days=30))
        r = post(api, ticket_url(support.number, "messages"),
                 {"body": "The same problem again.", "side": "customer"})
        assert r.status_code == 201, r.content
        ticket = r.json()["ticket"]
        assert ticket["number"] != support.number and ticket["previous"] == support.number
        assert ticket["messages"][-1]["id"] == r.json()["message"]["id"]
        assert api.get(ticket_url(support.number)).json()["status"] == "closed"

    def test_a_reply_does_not_postpone_processing(self, api, request_ticket, frozen):
        frozen.shift(timedelta(hours=3))
        r = post(api, ticket_url(request_ticket.number, "messages"),
                 {"body": "Can we offer another date?"})
        assert r.status_code == 201, r.content
        assert at(r.json()["ticket"]["refund_request"]["process_at"]) == (
            MONDAY + timedelta(days=1))

    @pytest.mark.parametrize("body, field", [
        ({"body": ""}, "body"), ({}, "body"), ({"body": "x", "side": "agent"}, "side"),
        ({"body": "x", "internal": "perhaps"}, "internal"), ([1, 2], "body"),
        ({"body": "a\x00b"}, "body"),
    ])
    def test_bad_input_is_422(self, api, support, body, field):
        assert_error(post(api, ticket_url(support.number, "messages"), body), 422, "invalid",
                     field)
        assert Message.objects.count() == 1

    def test_a_body_that_is_not_json_is_400(self, api, support):
        assert_error(post(api, ticket_url(support.number, "messages"), "{oops"), 400,
                     "malformed")

    def test_the_same_key_posts_one_message(self, api, support):
        key = {"Idempotency-Key": "reply-1"}
        first = post(api, ticket_url(support.number, "messages"), {"body": "Hello"}, **key)
        again = post(api, ticket_url(support.number, "messages"), {"body": "Hello"}, **key)
        assert first.json() == again.json() and again.status_code == 201
        assert Message.objects.filter(body="Hello").count() == 1
        assert_error(post(api, ticket_url(support.number, "messages"), {"body": "Bye"}, **key),
                     422, "idempotency_key_reused")


class TestMultipart:
    def test_files_are_attached_and_described(self, api, support):
        r = api.post(ticket_url(support.number, "messages"), {
            "body": "Photo of the torn ticket.", "side": "customer",
            "attachments": [upload("torn.png", png()), upload("note.txt", b"seat 12")]})
        assert r.status_code == 201, r.content
        files = r.json()["message"]["attachments"]
        assert [(f["name"], f["content_type"]) for f in files] == [
            ("torn.png", "image/png"), ("note.txt", "text/plain")]
        assert Attachment.objects.count() == 2
        read = api.get(ticket_url(support.number)).json()
        assert read["messages"][-1]["attachments"] == files

    def test_form_fields_alone_work_too(self, api, support):
        r = api.post(ticket_url(support.number, "messages"),
                     {"body": "A note.", "internal": "true"})
        assert r.status_code == 201, r.content
        assert r.json()["message"]["internal"] is True

    @pytest.mark.parametrize("name, data, code", [
        ("run.exe", b"MZ\x90\x00", "unsupported_file"),
        ("fake.png", b"not an image", "unsupported_file"),
        ("empty.txt", b"", "invalid"),
    ])
    def test_unsafe_files_are_refused_and_nothing_is_stored(self, api, support, name, data,
                                                            code):
        r = api.post(ticket_url(support.number, "messages"),
                     {"body": "See attached.", "attachments": [upload(name, data)]})
        body = assert_error(r, 422, code, "attachments[0]")
        assert name in body["message"]
        assert Message.objects.count() == 1 and Attachment.objects.count() == 0

    def test_too_many_files_are_refused(self, api, support, settings):
        settings.POSTSALE_ATTACHMENT_MAX_FILES = 2
        r = api.post(ticket_url(support.number, "messages"), {
            "body": "Lots.", "attachments": [upload(f"{i}.txt", b"x") for i in range(3)]})
        assert_error(r, 422, "invalid", "attachments")
        assert Message.objects.count() == 1

    def test_a_file_over_the_size_limit_is_422_not_413(self, api, support, settings):
        settings.POSTSALE_ATTACHMENT_MAX_BYTES = 10
        r = api.post(ticket_url(support.number, "messages"), {
            "body": "Big.", "attachments": [upload("big.txt", b"x" * 11)]})
        body = assert_error(r, 422, "invalid", "attachments[0]")
        assert "big.txt is too large" in body["message"]
        assert Attachment.objects.count() == 0

    def test_files_under_another_name_are_refused(self, api, support):
        r = api.post(ticket_url(support.number, "messages"),
                     {"body": "Hi", "photo": upload("a.txt", b"x")})
        assert_error(r, 422, "invalid", "photo")

    def test_missing_body_is_422(self, api, support):
        r = api.post(ticket_url(support.number, "messages"),
                     {"attachments": [upload("a.txt", b"x")]})
        assert_error(r, 422, "invalid", "body")


class TestChangeType:
    def test_to_refund_by_the_seller_is_processed_five_minutes_later(self, api, support):
        r = post(api, ticket_url(support.number, "type"), {"type": "refund"})
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["type"] == "refund"
        assert at(body["refund_request"]["process_at"]) == MONDAY + timedelta(minutes=5)
        assert (body["due_step"], at(body["due_at"])) == ("process",
                                                          MONDAY + timedelta(minutes=5))
        assert body["refund_request"]["amount"] == 8000
        assert body["messages"][-1]["side"] == "system"

    def test_to_refund_by_the_customer_waits_24_business_hours(self, api, support, frozen):
        frozen.move_to(MONDAY.replace(day=20, hour=15))  # a Friday
        r = post(api, ticket_url(support.number, "type"),
                 {"type": "refund", "side": "customer",
                  "items": [f"entry:{support.order.entries.first().number}"]})
        assert r.status_code == 200, r.content
        request = r.json()["refund_request"]
        assert at(request["process_at"]) == MONDAY.replace(day=23, hour=15)  # Monday
        assert request["amount"] == 4000

    def test_away_from_a_customers_request_by_the_seller_drops_it_for_review(
            self, api, request_ticket):
        r = post(api, ticket_url(request_ticket.number, "type"), {"type": "support"})
        assert r.status_code == 200, r.content
        body = r.json()
        assert (body["type"], body["refund_request"]["process_at"], body["due_step"]) == (
            "support", None, "warn")
        request_ticket.refresh_from_db()
        assert request_ticket.review_requested_at is not None

    def test_the_same_type_is_409(self, api, support):
        assert_error(post(api, ticket_url(support.number, "type"), {"type": "support"}),
                     409, "same_type")

    def test_a_closed_ticket_is_409(self, api, support):
        ticket_close(ticket=support, side=Side.SELLER, actor=AGENT,
                     now=MONDAY + timedelta(minutes=1))
        assert_error(post(api, ticket_url(support.number, "type"), {"type": "refund"}),
                     409, "ticket_closed")

    def test_a_non_refundable_order_stays_a_support_ticket(self, api, seller, frozen):
        strict = make_order(seller, make_product(seller, non_refundable=True), paid=True)
        ticket = open_ticket(strict, now=MONDAY)
        body = assert_error(post(api, ticket_url(ticket.number, "type"),
                                 {"type": "refund", "side": "customer"}), 422,
                            "not_refundable")
        assert "non-refundable" in body["message"]
        ticket.refresh_from_db()
        assert (ticket.type, ticket.process_at) == (TicketType.SUPPORT, None)

    @pytest.mark.parametrize("body, field", [
        ({"type": "complaint"}, "type"), ({}, "type"),
        ({"type": "support", "side": "system"}, "side"),
        ({"type": "return", "items": ["line:1"]}, "items"),
    ])
    def test_bad_input_is_422(self, api, support, body, field):
        assert_error(post(api, ticket_url(support.number, "type"), body), 422, "invalid",
                     field)
        support.refresh_from_db()
        assert support.type == TicketType.SUPPORT


class TestClose:
    def test_the_customer_withdraws_their_request_and_nothing_is_refunded(
            self, api, request_ticket, frozen, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            r = post(api, ticket_url(request_ticket.number, "close"),
                     {"side": "customer", "body": "Found someone to go instead."})
        assert r.status_code == 200, r.content
        body = r.json()
        assert (body["status"], body["resolution"], body["closed_by"], body["due_step"],
                body["refund_request"]["process_at"]) == (
            "closed", "withdrawn", "customer", None, None)
        assert body["messages"][-1]["body"] == "Found someone to go instead."
        assert len(mail.outbox) == 2
        request_ticket.refresh_from_db()
        assert request_ticket.review_requested_at is None
        frozen.shift(timedelta(days=2))
        run_sweep()
        assert Refund.objects.count() == 0

    def test_the_seller_saving_the_sale_is_reviewed(self, api, request_ticket):
        r = post(api, ticket_url(request_ticket.number, "close"), {})
        assert r.status_code == 200, r.content
        assert (r.json()["resolution"], r.json()["closed_by"]) == ("saved", "seller")
        request_ticket.refresh_from_db()
        assert request_ticket.review_requested_at is not None

    def test_a_support_ticket_is_solved(self, api, support):
        r = post(api, ticket_url(support.number, "close"), {"side": "seller"})
        assert (r.status_code, r.json()["resolution"]) == (200, "solved")

    def test_closing_twice_is_409(self, api, support):
        post(api, ticket_url(support.number, "close"), {})
        assert_error(post(api, ticket_url(support.number, "close"), {}), 409,
                     "ticket_closed")

    @pytest.mark.parametrize("body, field", [
        ({"side": "nobody"}, "side"), ({"body": "x" * 20_001}, "body"), ("[]", "body"),
    ])
    def test_bad_input_is_422(self, api, support, body, field):
        assert_error(post(api, ticket_url(support.number, "close"), body), 422, "invalid",
                     field)
        support.refresh_from_db()
        assert not support.is_closed
