"""Acting on tickets from the back office: reply, internal note, change type, close, return
decisions, opening a ticket from the order page — and the unhappy paths, where the page
shows what went wrong and nothing is stored."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from postsale.notifications.models import Notification
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member
from postsale.tickets.models import (
    Attachment,
    Channel,
    Message,
    Resolution,
    Side,
    Step,
    Ticket,
    TicketStatus,
)
from postsale.tickets.tests.factories import open_ticket


def url(name: str, ticket) -> str:
    return reverse(f"backoffice:{name}", args=[ticket.number])


def open_url(order) -> str:
    return reverse("backoffice:order_ticket_open", args=[order.number])


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def mails(ticket, kind: str) -> int:
    return Notification.objects.filter(tags__tag=f"ticket:{ticket.pk}", kind=kind).count()


@pytest.fixture
def paid(seller):
    product = make_product(seller, sku="museum", name="Museum entry", price=4000)
    return make_order(seller, product, quantity=2, paid=True)


@pytest.fixture
def ticket(paid):
    return open_ticket(paid, body="The e-mail never came.")


@pytest.fixture
def viewer_client(seller, client_for):
    return client_for(make_member(seller, role=Role.VIEWER, username="vera").user)


@pytest.fixture
def root_client(client_for, db):
    return client_for(get_user_model().objects.create_superuser("root", "r@example.com", "pw"))


# Reply and internal note

def test_reply_is_stored_mailed_to_both_sides_and_waits_on_the_customer(agent_client, ticket):
    response = agent_client.post(url("ticket_reply", ticket),
                                 {"body": "Sent again; please check spam.",
                                  "attachments": [upload("howto.txt", b"Look in Spam.")]})
    assert response.status_code == 302 and response["Location"].endswith("#conversation")
    message = ticket.messages.latest("id")
    assert (message.side, message.internal, message.author_name) == (Side.SELLER, False, "agnes")
    assert message.attachments.get().name == "howto.txt"
    assert mails(ticket, "ticket_reply") == 2
    ticket.refresh_from_db()
    assert ticket.waiting_on == Side.CUSTOMER
    page = agent_client.get(response["Location"])
    assert "Reply sent to the customer." in page.text


def test_internal_note_is_stored_and_mails_nobody(agent_client, ticket):
    before = Notification.objects.count()
    response = agent_client.post(url("ticket_reply", ticket),
                                 {"body": "Asked finance.", "internal": "1"})
    assert response.status_code == 302
    note = ticket.messages.latest("id")
    assert note.internal and note.body == "Asked finance."
    assert Notification.objects.count() == before
    ticket.refresh_from_db()
    assert ticket.waiting_on == Side.SELLER  # a note is not a public move


@pytest.mark.parametrize("internal", ["", "1"])
def test_empty_reply_or_note_is_a_form_error_and_nothing_is_stored(agent_client, ticket,
                                                                   internal):
    response = agent_client.post(url("ticket_reply", ticket),
                                 {"body": "   ", "internal": internal,
                                  "attachments": [upload("a.png", png_bytes())]})
    assert response.status_code == 422
    form = "note-title" if internal else "reply-form"
    section = response.text.split(f'id="{form}"')[1].split("</form>")[0]
    assert 'role="alert">Write a message.' in section and 'aria-invalid="true"' in section
    assert ticket.messages.count() == 1 and Attachment.objects.count() == 0


@pytest.mark.parametrize(("name", "data", "error"), [
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "drawing.svg cannot be attached"),
    ("photo.png", b"\x89PNG\r\n\x1a\nnot really a picture", "photo.png is not a readable image."),
    ("empty.pdf", b"", "empty.pdf is empty."),
])
def test_bad_attachment_is_refused_with_a_message_and_nothing_is_stored(
        agent_client, ticket, name, data, error):
    response = agent_client.post(url("ticket_reply", ticket),
                                 {"body": "See the file.", "attachments": [upload(name, data)]})
    assert response.status_code == 422
    assert error in response.text
    assert "See the file." in response.text  # what the agent typed is kept
    assert ticket.messages.count() == 1 and Attachment.objects.count() == 0
    assert mails(ticket, "ticket_reply") == 0


def test_a_closed_ticket_takes_notes_but_no_reply(agent_client, ticket):
    agent_client.post(url("ticket_close", ticket), {})
    page = agent_client.get(url("ticket", ticket)).text
    assert "Add internal note" in page and "Send reply" not in page
    response = agent_client.post(url("ticket_reply", ticket), {"body": "Hello?"})
    assert response.status_code == 409 and "is closed; open a new ticket" in response.text
    assert agent_client.post(url("ticket_reply", ticket),
                             {"body": "For the record.", "internal": "1"}).status_code == 302
    assert list(ticket.messages.values_list("internal", flat=True)) == [False, True]


def test_viewer_cannot_act_on_a_ticket(viewer_client, ticket, paid):
    for name, data in [("ticket_reply", {"body": "Hi"}),
                       ("ticket_reply", {"body": "Hi", "internal": "1"}),
                       ("ticket_type", {"type": "refund"}), ("ticket_close", {}),
                       ("ticket_return", {"status": "accepted"})]:
        assert viewer_client.post(url(name, ticket), data).status_code == 403
    assert viewer_client.post(open_url(paid), {"type": "support", "body": "x"}).status_code == 403
    assert viewer_client.get(open_url(paid)).status_code == 403
    ticket.refresh_from_db()
    assert ticket.messages.count() == 1 and ticket.status == TicketStatus.OPEN
    assert Ticket.objects.count() == 1


def test_actions_on_another_sellers_ticket_are_404(agent_client, other_seller):
    theirs = open_ticket(make_order(other_seller))
    for name in ("ticket_reply", "ticket_type", "ticket_close", "ticket_return"):
        assert agent_client.post(url(name, theirs), {"body": "x"}).status_code == 404
    assert theirs.messages.count() == 1
    assert agent_client.post(open_url(theirs.order), {"type": "support",
                                                      "body": "x"}).status_code == 404


def test_actions_take_only_posts(agent_client, ticket):
    assert agent_client.get(url("ticket_reply", ticket)).status_code == 405


# Change type and close

def test_change_to_refund_names_the_ticked_entry_and_is_processed_in_5_minutes(
        agent_client, ticket, paid):
    entry = paid.entries.order_by("id").first()
    at = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        response = agent_client.post(url("ticket_type", ticket),
                                     {"type": "refund", "items": [f"entry:{entry.number}"]})
        assert response.status_code == 302
        page = agent_client.get(response["Location"]).text
    ticket.refresh_from_db()
    assert ticket.type == "refund" and ticket.refund_keys == [f"entry:{entry.number}"]
    assert ticket.refund_amount == 4000
    assert (ticket.due_step, ticket.due_at) == (Step.PROCESS, at + timedelta(minutes=5))
    assert "is now a refund ticket" in page and "Refund in 5 minutes unless saved" in page
    assert mails(ticket, "ticket_changed") == 2


def test_change_to_refund_with_nothing_ticked_explains_and_changes_nothing(agent_client,
                                                                           ticket):
    response = agent_client.post(url("ticket_type", ticket), {"type": "refund"})
    assert response.status_code == 422
    section = response.text.split('id="type-title"')[1].split("</form>")[0]
    assert "Choose what to refund." in section
    assert "checked" not in section  # the agent's (empty) choice is kept
    ticket.refresh_from_db()
    assert ticket.type == "support" and ticket.due_step == Step.WARN


def test_unknown_type_is_a_form_error(agent_client, ticket):
    response = agent_client.post(url("ticket_type", ticket), {"type": "lottery"})
    assert response.status_code == 422 and "Unknown ticket type" in response.text


def test_seller_closing_a_customers_refund_request_sends_it_to_review(agent_client, paid):
    ticket = open_ticket(paid, type="refund")
    response = agent_client.post(url("ticket_close", ticket),
                                 {"body": "We found you seats for next week."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.resolution == Resolution.SAVED
    assert ticket.review_requested_at is not None and ticket.due_at is None
    assert ticket.messages.latest("id").body == "We found you seats for next week."
    page = agent_client.get(response["Location"]).text
    assert "Closed by the seller before processing" in page
    assert "review list" in page
    again = agent_client.post(url("ticket_close", ticket), {})
    assert again.status_code == 409 and "already closed" in again.text


# Returns

def test_return_moves_through_review_to_a_decision(agent_client, paid):
    ticket = open_ticket(paid, type="return", body="The scarf is torn.")
    page = agent_client.get(url("ticket", ticket)).text
    assert "Start review" in page and "Accept" in page and "Reject" in page
    assert agent_client.post(url("ticket_return", ticket),
                             {"status": "in_review"}).status_code == 302
    response = agent_client.post(url("ticket_return", ticket),
                                 {"status": "accepted", "body": "Send it back, we refund."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ACCEPTED
    assert mails(ticket, "ticket_decision") == 2
    page = agent_client.get(url("ticket", ticket)).text
    assert "Start review" in page and ">Accept<" not in page  # back to review only


def test_impossible_return_move_is_explained(agent_client, paid):
    ticket = open_ticket(paid, type="return")
    response = agent_client.post(url("ticket_return", ticket), {"status": "closed"})
    assert response.status_code == 409 and "cannot become closed" in response.text
    support = open_ticket(paid)
    response = agent_client.post(url("ticket_return", support), {"status": "accepted"})
    assert response.status_code == 409 and "is not a return" in response.text


# Opening a ticket from the order page

def test_agent_opens_a_support_ticket_with_a_file(agent_client, paid):
    response = agent_client.post(open_url(paid), {
        "type": "support", "subject": "Called about parking", "body": "Asked about parking.",
        "attachments": [upload("map.png", png_bytes())]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == url("ticket", ticket)
    assert (ticket.opened_by, ticket.channel, ticket.subject) == (
        Side.SELLER, Channel.BACKOFFICE, "Called about parking")
    assert ticket.messages.get().attachments.get().content_type == "image/png"
    assert mails(ticket, "ticket_opened") == 2


def test_agent_opens_a_refund_ticket_for_one_entry(agent_client, paid):
    _first, second = paid.entries.order_by("id")
    response = agent_client.post(open_url(paid), {"type": "refund", "body": "Cannot come.",
                                                  "items": [f"entry:{second.number}"]})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.refund_keys == [f"entry:{second.number}"] and ticket.refund_amount == 4000
    assert ticket.process_at - ticket.created_at == timedelta(minutes=5)


def test_items_are_ignored_for_other_types(agent_client, paid):
    entry = paid.entries.first()
    agent_client.post(open_url(paid), {"type": "support", "body": "Question.",
                                       "items": [f"entry:{entry.number}"]})
    assert Ticket.objects.get().refund_keys is None


@pytest.mark.parametrize(("data", "error"), [
    ({"type": "support", "body": ""}, "Write a message."),
    ({"type": "refund", "body": "Money back"}, "Choose what to refund."),
    ({"type": "refund", "body": "Money back", "items": ["entry:TID-NOPE"]},
     "Some items are not part of this order."),
    ({"type": "cancellation", "body": "Stop it"}, "has no active subscription"),
    ({"type": "bogus", "body": "x"}, "Unknown ticket type"),
])
def test_opening_refused_by_the_rules_shows_why_and_keeps_the_input(agent_client, paid, data,
                                                                    error):
    response = agent_client.post(open_url(paid), data)
    assert response.status_code in (409, 422)
    assert error in response.text
    assert Ticket.objects.count() == 0 and Message.objects.count() == 0
    if data["body"]:
        assert data["body"] in response.text


def test_refund_ticket_on_an_unpaid_order_is_refused(agent_client, seller):
    unpaid = make_order(seller)
    entry = unpaid.entries.first()
    response = agent_client.post(open_url(unpaid), {"type": "refund", "body": "x",
                                                    "items": [f"entry:{entry.number}"]})
    assert response.status_code == 422 and "only paid orders" in response.text
    assert Ticket.objects.count() == 0


def test_opening_with_a_bad_file_stores_nothing(agent_client, paid):
    response = agent_client.post(open_url(paid), {
        "type": "support", "body": "Look at this.",
        "attachments": [upload("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")]})
    assert response.status_code == 422 and "x.svg cannot be attached" in response.text
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_second_open_refund_request_points_to_the_first(agent_client, paid):
    first = open_ticket(paid, type="refund")
    entry = paid.entries.first()
    response = agent_client.post(open_url(paid), {"type": "refund", "body": "Again",
                                                  "items": [f"entry:{entry.number}"]})
    assert response.status_code == 409 and first.number in response.text
    assert Ticket.objects.count() == 1


def test_only_platform_operators_open_on_the_customers_behalf(agent_client, root_client, paid):
    agent_client.post(open_url(paid), {"type": "support", "body": "Phoned.", "on_behalf": "1"})
    by_agent = Ticket.objects.get()
    assert (by_agent.opened_by, by_agent.channel) == (Side.SELLER, Channel.BACKOFFICE)
    opened = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # Wednesday
    entry = paid.entries.order_by("id").first()
    with time_machine.travel(opened, tick=False):
        response = root_client.post(open_url(paid), {
            "type": "refund", "body": "Customer called: cannot come.", "on_behalf": "1",
            "items": [f"entry:{entry.number}"]})
    assert response.status_code == 302
    phoned = Ticket.objects.exclude(pk=by_agent.pk).get()
    assert (phoned.opened_by, phoned.channel) == (Side.CUSTOMER, Channel.PHONE)
    assert phoned.process_at == opened + timedelta(hours=24)  # the customer's timer
    assert phoned.messages.get().side == Side.CUSTOMER


def test_open_page_shows_the_form_on_its_own(agent_client, paid):
    response = agent_client.get(open_url(paid))
    assert response.status_code == 200 and "Open ticket" in response.text
