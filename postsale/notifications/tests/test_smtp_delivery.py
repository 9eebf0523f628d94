"""The order e-mails over a real SMTP conversation (aiosmtpd), as a mail client gets them."""

import re
import struct
import zlib

import pytest
from django.conf import settings

from postsale.notifications.models import NotificationStatus
from postsale.notifications.selectors import notifications_tagged
from postsale.orders.qr import qr_png
from postsale.orders.tests.factories import make_order


def png_size(data: bytes) -> tuple[int, int]:
    """Decode a PNG far enough to trust it: signature, every chunk's CRC, and image data
    that inflates to exactly one filtered row per pixel row. Returns (width, height)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    row = 1 + (width * channels * depth + 7) // 8  # a filter byte, then the pixels
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * row
    assert b"IEND" in chunks
    return width, height


def parts(message, content_type):
    return [p for p in message.walk() if p.get_content_type() == content_type]


@pytest.fixture
def paid_order(seller, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_order(seller, paid=True, quantity=2, email="anna@example.com")


@pytest.mark.parametrize(("support_email", "reply_to"), [
    ("", "owner@acme.example"),  # no support address: the account's
    ("help@acme.example", "help@acme.example"),
])
def test_paid_order_sends_receipt_and_entries_to_the_customer_over_smtp(
        seller, smtp, django_capture_on_commit_callbacks, support_email, reply_to):
    seller.support_email = support_email
    seller.save(update_fields=["support_email"])
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(seller, paid=True, email="anna@example.com")

    received = smtp.wait_for(2, timeout=5)
    assert sorted(m["subject"] for m in received) == [
        f"Receipt for order {order.number} – Acme Events",
        f"Your entries for order {order.number} – Acme Events"]
    for r in smtp.received:
        assert r.rcpt_tos == ["anna@example.com"]
        assert r.message["to"] == "anna@example.com"
        assert r.message["from"] == settings.DEFAULT_FROM_EMAIL
        assert r.message["reply-to"] == reply_to
        # The dash went over the wire MIME-encoded; parsing decoded it.
        raw_subject = re.search(rb"^Subject: (.*(?:\r\n[ \t].*)*)", r.raw, re.MULTILINE)[1]
        assert b"=?utf-8?" in raw_subject and "–".encode() not in raw_subject
        assert r.message.get_body(("plain",)).get_content().startswith("You are receiving")
        assert "<html" in r.message.get_body(("html",)).get_content()


def test_every_cid_in_the_entries_html_is_an_inline_qr_png_of_that_entry(paid_order, smtp):
    message = next(m for m in smtp.wait_for(2, timeout=5) if "entries" in m["subject"])
    html = message.get_body(("html",)).get_content()
    cids = re.findall(r'src="cid:([^"]+)"', html)
    images = {p["content-id"].strip("<>"): p for p in parts(message, "image/png")}

    entries = list(paid_order.entries.all())
    assert len(entries) == 2
    assert sorted(cids) == sorted(images) == sorted(f"qr-{e.number}" for e in entries)
    for entry in entries:
        png = images[f"qr-{entry.number}"].get_content()
        assert png == qr_png(entry.secret)  # the entry's own code, as segno drew it
        width, height = png_size(png)
        assert width == height > 100
        assert images[f"qr-{entry.number}"].get_content_disposition() == "inline"
    # Images sit beside the HTML in multipart/related, where clients resolve cid:.
    [related] = parts(message, "multipart/related")
    assert [p.get_content_type() for p in related.iter_parts()] == [
        "text/html", "image/png", "image/png"]
    assert message.get_content_type() == "multipart/alternative"


def test_receipt_has_no_images_and_the_stored_message_id(paid_order, smtp):
    by_kind = {m["x-postsale-kind"]: m for m in smtp.wait_for(2, timeout=5)}
    assert parts(by_kind["order_receipt"], "image/png") == []
    for notification in notifications_tagged(f"order:{paid_order.pk}"):
        message = by_kind[notification.kind]
        assert message["message-id"] == notification.message_id
        assert message["auto-submitted"] == "auto-generated"
        assert notification.status == NotificationStatus.SENT
        assert (notification.attempts, notification.last_error) == (1, "")
        assert notification.sent_at is not None and notification.next_attempt_at is None
