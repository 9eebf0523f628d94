"""A customer's ticket page: conversation, reply, close, change to a refund request."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from postsale.tickets.attachments import CheckedFile
from postsale.tickets.models import Attachment, Resolution, Side, TicketStatus, TicketType
from postsale.tickets.services import ticket_close, ticket_reply
from postsale.tickets.tests.factories import AGENT, open_ticket

from .conftest import WAW, ticket_link
from .test_open_ticket import png_bytes

pytestmark = pytest.mark.django_db


def note(ticket, body="Internal: refund only if they insist.", files=()):
    return ticket_reply(ticket=ticket, side=Side.SELLER, actor=AGENT, body=body,
                        internal=True, attachments=list(files))


def test_the_page_shows_public_messages_and_never_internal_notes(client, paid):
    ticket = open_ticket(paid, subject="Lost e-mail", body="Nothing arrived.")
    note(ticket, files=[CheckedFile("secret.txt", "text/plain", b"for agents")])
    ticket_reply(ticket=ticket, side=Side.SELLER, actor=AGENT, body="We sent it again.")
    response = client.get(ticket_link(paid, ticket.number))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing arrived." in html and "We sent it again." in html
    assert "Internal: refund only" not in html and "secret.txt" not in html
    assert "Waiting for your answer" in html
    secret = Attachment.objects.get(name="secret.txt")
    assert client.get(ticket_link(paid, ticket.number)
                      + f"attachments/{secret.pk}/").status_code == 404


def test_attachments_download_as_files_never_inline(client, paid):
    ticket = open_ticket(paid, attachments=[CheckedFile("shot.png", "image/png", png_bytes())])
    attachment = Attachment.objects.get()
    response = client.get(ticket_link(paid, ticket.number) + f"attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == png_bytes()


def test_customer_replies_with_a_file(client, paid, django_capture_on_commit_callbacks):
    ticket = open_ticket(paid)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ticket_link(paid, ticket.number) + "reply/", {
            "body": "Here is the screenshot.",
            "attachments": [SimpleUploadedFile("s.png", png_bytes(), "image/png")]})
    assert response.status_code == 302
    message = ticket.messages.order_by("created_at", "id").last()
    assert message.body == "Here is the screenshot." and message.side == Side.CUSTOMER
    assert message.attachments.get().name == "s.png"
    assert len(mail.outbox) == 2
    html = client.get(response["Location"]).content.decode()
    assert "Your message has been sent." in html and "Here is the screenshot." in html


def test_a_reply_with_a_bad_file_stores_nothing(client, paid):
    ticket = open_ticket(paid)
    response = client.post(ticket_link(paid, ticket.number) + "reply/", {
        "body": "Look.", "attachments": [SimpleUploadedFile("x.png", b"fake", "image/png")]})
    assert response.status_code == 422
    assert "x.png is not a readable image" in response.content.decode()
    assert ticket.messages.count() == 1 and not Attachment.objects.exists()


def test_an_empty_reply_is_refused(client, paid):
    ticket = open_ticket(paid)
    response = client.post(ticket_link(paid, ticket.number) + "reply/", {"body": ""})
    assert response.status_code == 422
    assert ticket.messages.count() == 1


def test_a_reply_to_a_ticket_closed_long_ago_opens_a_new_one(client, paid):
    ticket = open_ticket(paid)
    ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT)
    with time_machine.travel(timedelta(days=30)):
        response = client.post(ticket_link(paid, ticket.number) + "reply/",
                               {"body": "It happened again."})
    followup = paid.tickets.exclude(pk=ticket.pk).get()
    assert followup.previous == ticket
    assert response["Location"].endswith(f"/tickets/{followup.number}/")


def test_customer_closes_a_support_ticket(client, paid):
    ticket = open_ticket(paid)
    response = client.post(ticket_link(paid, ticket.number) + "close/")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.resolution == Resolution.SOLVED
    html = client.get(response["Location"]).content.decode()
    assert "Closed: solved" in html and "Close this ticket" not in html
    again = client.post(ticket_link(paid, ticket.number) + "close/")
    assert again.status_code == 409 and "already closed" in again.content.decode()


def test_closing_a_refund_request_withdraws_it(client, paid, django_capture_on_commit_callbacks):
    ticket = open_ticket(paid, type="refund", body="Refund please.")
    page = client.get(ticket_link(paid, ticket.number)).content.decode()
    assert "Your refund of 80.00" in page and "Withdraw my request" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ticket_link(paid, ticket.number) + "close/")
    ticket.refresh_from_db()
    assert ticket.resolution == Resolution.WITHDRAWN and ticket.process_at is None
    assert ticket.review_requested_at is None  # a customer's own withdrawal is not reviewed
    assert len(mail.outbox) == 2
    html = client.get(response["Location"]).content.decode()
    assert "You withdrew your request" in html and "Withdraw my request" not in html


def test_the_countdown_shows_the_time_left(client, paid):
    ticket = open_ticket(paid, type="refund", body="Refund please.")
    assert ticket.process_at == datetime(2026, 11, 23, 15, 0, tzinfo=WAW)
    html = client.get(ticket_link(paid, ticket.number)).content.decode()
    assert "(in 3\xa0days)" in html
    assert "Europe/Warsaw" in html


def test_the_inactivity_link_shows_the_refund_form_first(client, paid):
    ticket = open_ticket(paid)
    html = client.get(ticket_link(paid, ticket.number), {"change": "refund"}).content.decode()
    assert 'class="card card--focus"' in html
    assert html.index("Ask for a refund instead") < html.index("Conversation")
    assert "You can get 80.00" in html and "Monday" in html
    plain = client.get(ticket_link(paid, ticket.number)).content.decode()
    assert "card--focus" not in plain and "Would you rather have a refund?" in plain


def test_customer_changes_a_support_ticket_to_a_refund_request(
        client, paid, django_capture_on_commit_callbacks):
    ticket = open_ticket(paid)
    first = paid.entries.values_list("number", flat=True)[0]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ticket_link(paid, ticket.number) + "refund/",
                               {"items_shown": "1", "items": [f"entry:{first}"]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.type == TicketType.REFUND and ticket.refund_amount == 4000
    assert ticket.process_at == datetime(2026, 11, 23, 15, 0, tzinfo=WAW)
    assert len(mail.outbox) == 2
    html = client.get(response["Location"]).content.decode()
    assert "Your ticket is now a refund request." in html and "Your refund of 40.00" in html
    assert "Would you rather have a refund?" not in html


def test_changing_to_a_refund_that_is_not_allowed_keeps_the_ticket(client, paid):
    ticket = open_ticket(paid)
    response = client.post(ticket_link(paid, ticket.number) + "refund/", {"items_shown": "1"})
    assert response.status_code == 422
    assert "Choose what to refund." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.type == TicketType.SUPPORT and ticket.process_at is None


def test_pages_need_the_right_method(client, paid):
    ticket = open_ticket(paid)
    assert client.get(ticket_link(paid, ticket.number) + "close/").status_code == 405
    assert client.post(ticket_link(paid, ticket.number)).status_code == 405
