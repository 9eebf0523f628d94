"""Opening a ticket from the order page: support, refund, return; refusals store nothing."""

import io
from datetime import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from postsale.orders.models import OrderStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product
from postsale.tickets.models import (
    Attachment,
    Channel,
    Message,
    ReturnKind,
    Side,
    Step,
    Ticket,
    TicketStatus,
    TicketType,
)

from .conftest import WAW, order_link, ticket_link

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def post(client, order, data, files=(), **kwargs):
    return client.post(order_link(order), {**data, "attachments": list(files)}, **kwargs)


def assert_nothing_stored():
    assert not Ticket.objects.exists()
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_customer_opens_a_support_ticket_with_a_screenshot(
        client, paid, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, paid, {"type": "support", "subject": "No e-mail",
                                       "body": "The e-mail with my tickets never came."},
                        [SimpleUploadedFile("screen.png", png_bytes(), "image/png")])
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ticket_link(paid, ticket.number)
    assert (ticket.type, ticket.opened_by, ticket.channel) == (
        TicketType.SUPPORT, Side.CUSTOMER, Channel.PORTAL)
    assert ticket.subject == "No e-mail" and ticket.process_at is None
    assert ticket.messages.get().attachments.get().content_type == "image/png"
    assert len(mail.outbox) == 2
    page = client.get(response["Location"]).content.decode()
    assert ticket.number in page and "The e-mail with my tickets never came." in page
    assert "screen.png" in page


def test_customer_asks_for_a_refund_processed_after_24_business_hours(
        client, paid, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, paid, {"type": "refund", "body": "I cannot come."})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.type == TicketType.REFUND and ticket.refund_keys is None
    assert ticket.refund_amount == 8000
    # Opened on a Friday at 15:00 in Warsaw: processed on Monday at 15:00.
    assert ticket.process_at == datetime(2026, 11, 23, 15, 0, tzinfo=WAW)
    assert ticket.due_step == Step.PROCESS
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert len(mail.outbox) == 2 and paid.email in recipients
    assert all(ticket.number in m.subject for m in mail.outbox)
    page = client.get(response["Location"]).content.decode()
    assert "Your refund of 80.00" in page and "Monday" in page
    assert "Withdraw my request" in page


def test_a_refund_of_some_entries_names_them(client, paid):
    first, _second = paid.entries.values_list("number", flat=True)
    post(client, paid, {"type": "refund", "body": "Only one of us can come.",
                        "items_shown": "1", "items": [f"entry:{first}"]})
    ticket = Ticket.objects.get()
    assert ticket.refund_keys == [f"entry:{first}"] and ticket.refund_amount == 4000


def test_choosing_every_item_asks_for_the_whole_order(client, paid):
    keys = [f"entry:{n}" for n in paid.entries.values_list("number", flat=True)]
    post(client, paid, {"type": "refund", "body": "Both.", "items_shown": "1", "items": keys})
    assert Ticket.objects.get().refund_keys is None


def test_a_non_refundable_order_gets_a_message_and_nothing_is_stored(client, seller, friday):
    product = make_product(seller, name="Gala", price=9000, non_refundable=True)
    order = make_order(seller, product, quantity=1, paid=True)
    response = post(client, order, {"type": "refund", "body": "Money back, please."})
    assert response.status_code == 422
    html = response.content.decode()
    assert "is non-refundable" in html and "You can still open a support ticket." in html
    assert "Money back, please." in html  # the message is kept in the form
    assert_nothing_stored()


def test_an_unpaid_order_cannot_be_refunded(client, seller, friday):
    order = make_order(seller)
    assert order.status == OrderStatus.AWAITING_PAYMENT
    response = post(client, order, {"type": "refund", "body": "Refund."})
    assert response.status_code == 422
    assert "only paid orders" in response.content.decode()
    assert_nothing_stored()


def test_choosing_nothing_to_refund_is_refused(client, paid):
    response = post(client, paid, {"type": "refund", "body": "Hm.", "items_shown": "1"})
    assert response.status_code == 422
    assert "Choose what to refund." in response.content.decode()
    assert_nothing_stored()


def test_a_second_refund_request_is_refused_while_the_first_waits(client, paid):
    post(client, paid, {"type": "refund", "body": "First."})
    response = post(client, paid, {"type": "refund", "body": "Second."})
    assert response.status_code == 409
    assert "already asks for this" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_cancellation_is_refused_without_a_subscription(client, paid):
    response = post(client, paid, {"type": "cancellation", "body": "Stop it."})
    assert response.status_code == 422
    assert_nothing_stored()


def test_customer_reports_a_return_with_lines_and_contact(client, seller, friday):
    product = make_product(seller, name="Poster", price=2500)
    order = make_order(seller, product, quantity=3, paid=True)
    line = order.lines.get()
    response = post(client, order, {
        "type": "return", "body": "Two posters arrived torn.", "return_kind": "warranty",
        f"line-{line.pk}": "2", "contact_email": "anna@example.com",
        "contact_phone": "+48 601 234 567"},
        [SimpleUploadedFile("torn.png", png_bytes(), "image/png")])
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.type == TicketType.RETURN and ticket.status == TicketStatus.NEW
    assert ticket.return_kind == ReturnKind.WARRANTY
    assert ticket.return_lines == [{"line": line.pk, "quantity": 2}]
    assert (ticket.contact_email, ticket.contact_phone) == ("anna@example.com",
                                                            "+48 601 234 567")
    page = client.get(response["Location"]).content.decode()
    assert "Warranty complaint" in page and "2 × <bdi>Poster</bdi>" in page


def test_a_return_of_more_than_was_bought_is_refused(client, seller, friday):
    order = make_order(seller, make_product(seller), quantity=1, paid=True)
    line = order.lines.get()
    response = post(client, order, {"type": "return", "body": "Missing.",
                                    "return_kind": "missing", f"line-{line.pk}": "5"})
    assert response.status_code == 422
    assert "quantity from 1 to what was bought" in response.content.decode()
    assert_nothing_stored()


def test_a_return_needs_its_kind(client, paid):
    response = post(client, paid, {"type": "return", "body": "Broken."})
    assert response.status_code == 422
    assert "Choose what kind of return this is." in response.content.decode()
    assert_nothing_stored()


def test_an_empty_message_is_refused(client, paid):
    response = post(client, paid, {"type": "support", "body": "  "})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    assert_nothing_stored()


@override_settings(POSTSALE_ATTACHMENT_MAX_BYTES=1024)
def test_a_file_too_large_is_refused(client, paid):
    big = SimpleUploadedFile("notes.txt", b"a" * 2048, "text/plain")
    response = post(client, paid, {"type": "support", "body": "See file."}, [big])
    assert response.status_code == 422
    assert "notes.txt is too large" in response.content.decode()
    assert_nothing_stored()


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("setup.exe", b"MZ\x90\x00binary", "setup.exe cannot be attached"),
    ("photo.png", b"\x89PNG\r\n\x1a\nnot really a png", "photo.png is not a readable image"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "logo.svg cannot be attached"),
    ("logo.txt", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "logo.txt cannot be attached"),
])
def test_a_file_of_the_wrong_kind_is_refused(client, paid, name, data, expected):
    upload = SimpleUploadedFile(name, data, "image/png")
    response = post(client, paid, {"type": "support", "body": "See file."}, [upload])
    assert response.status_code == 422
    assert expected in response.content.decode()
    assert_nothing_stored()


def test_a_type_the_order_does_not_offer_is_refused(client, paid):
    response = post(client, paid, {"type": "nonsense", "body": "Hi."})
    assert response.status_code == 422
    assert_nothing_stored()


def test_customer_asks_to_cancel_a_subscription(client, seller, friday):
    product = make_product(seller, kind=ProductKind.SUBSCRIPTION, billing_period_months=1)
    order = make_order(seller, product, quantity=1, paid=True)
    form = client.get(order_link(order) + "new-ticket/", {"type": "cancellation"})
    assert "Your subscription will be canceled on" in form.content.decode()
    response = post(client, order, {"type": "cancellation", "body": "Stop it, please."})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.type == TicketType.CANCELLATION
    assert ticket.process_at == datetime(2026, 11, 23, 15, 0, tzinfo=WAW)
    page = client.get(response["Location"]).content.decode()
    assert "Your subscription will be canceled on" in page
    assert "already asked for this" not in page  # its own request does not block a change
