"""The customer's documents over HTTP: the entries section of the order page, PDFs,
Wallet passes, the invoice, and downloads through time-limited links — and everything a
wrong, old or foreign link gets instead."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse

from postsale.core.audit import SYSTEM
from postsale.core.models import AuditEvent
from postsale.orders.downloads import download_link_path, download_token
from postsale.orders.links import order_token
from postsale.orders.models import EntryStatus, ProductKind
from postsale.orders.tests.documents_helpers import pdf_text, pkpass_files
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.documents import order_invoices
from postsale.payments.refunds import refund_process, refund_request
from postsale.payments.rules import RequestedBy
from postsale.sellers.wallet import wallet_pass_configure_dev

from .conftest import order_link

pytestmark = pytest.mark.django_db


def url(name: str, order, *args) -> str:
    return reverse(f"portal:{name}", args=[order_token(order), *args])


def assert_private_download(response, content_type: str, filename: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def wallet(seller):
    return wallet_pass_configure_dev(seller=seller)[1]


# The order page.

def test_the_order_page_shows_a_qr_code_and_documents_for_each_valid_entry(client, paid):
    html = client.get(order_link(paid)).content.decode()
    for entry in paid.entries.all():
        assert f'data-entry="{entry.number}"' in html
        assert url("entry_pdf", paid, entry.number) in html
        assert entry.secret not in html  # only inside the QR image
    assert html.count('class="entry-card__qr"') == 2 and html.count("<svg") >= 2
    assert url("entries_pdf", paid) in html
    assert url("invoice_pdf", paid, order_invoices(paid).get().number) in html
    assert "Add to Apple Wallet" not in html  # the seller has no Wallet setup


def test_wallet_buttons_appear_once_the_seller_has_a_setup(client, paid, wallet):
    html = client.get(order_link(paid)).content.decode()
    assert html.count("Add to Apple Wallet") == 2
    for entry in paid.entries.all():
        assert url("entry_pass", paid, entry.number) in html


def test_an_unpaid_order_shows_no_codes_and_says_why(client, seller, friday):
    order = make_order(seller, make_product(seller), quantity=2, paid=False)
    html = client.get(order_link(order)).content.decode()
    assert "entry-card__qr" not in html and url("entries_pdf", order) not in html
    assert html.count("Not valid yet: we are waiting for the payment to be confirmed.") == 2
    assert "Invoice (PDF)" not in html


def test_a_refunded_entry_shows_no_code_and_says_it_was_refunded(client, paid):
    first = paid.entries.order_by("id").first()
    refund = refund_request(seller=paid.seller, order_number=paid.number,
                            by=RequestedBy.SELLER, actor=SYSTEM,
                            keys=[f"entry:{first.number}"])
    refund_process(refund_id=refund.pk)
    html = client.get(order_link(paid)).content.decode()
    assert html.count('class="entry-card__qr"') == 1
    assert "This entry was refunded, so it is no longer valid." in html
    response = client.get(url("entry_pdf", paid, first.number))
    assert response.status_code == 409
    assert "This entry was refunded" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


# PDFs and passes.

def test_all_entries_as_one_pdf(client, paid):
    response = client.get(url("entries_pdf", paid))
    assert_private_download(response, "application/pdf", f"entries-{paid.number}.pdf")
    text = pdf_text(response.content)
    for entry in paid.entries.all():
        assert entry.number in text
    assert "Anna Kowalska" in text


def test_one_entry_as_pdf(client, paid):
    first, second = paid.entries.order_by("id")
    response = client.get(url("entry_pdf", paid, first.number))
    assert_private_download(response, "application/pdf", f"entry-{first.number}.pdf")
    text = pdf_text(response.content)
    assert first.number in text and second.number not in text


def test_an_entry_of_another_order_is_not_found_through_this_link(client, paid, seller,
                                                                  other_seller, wallet):
    for stranger in (make_order(seller, paid=True), make_order(other_seller, paid=True)):
        entry = stranger.entries.first()
        for name in ("entry_pdf", "entry_pass"):
            response = client.get(url(name, paid, entry.number))
            assert response.status_code == 404
            html = response.content.decode()
            assert "Not found" in html and stranger.number not in html
        invoice = order_invoices(stranger).get()
        response = client.get(url("invoice_pdf", paid, invoice.number))
        assert response.status_code == 404
        assert stranger.number not in response.content.decode()


def test_a_pending_entry_has_no_pdf_and_no_pass(client, seller, wallet):
    order = make_order(seller, make_product(seller), quantity=1, paid=False)
    entry = order.entries.get()
    for name in ("entry_pdf", "entry_pass"):
        response = client.get(url(name, order, entry.number))
        assert response.status_code == 409
        assert "waiting for the payment" in response.content.decode()
    response = client.get(url("entries_pdf", order))
    assert response.status_code == 409
    assert "no valid entries" in response.content.decode()


@pytest.mark.parametrize("name", ["entries_pdf", "entry_pdf", "entry_pass", "invoice_pdf"])
def test_tampered_and_expired_links_get_no_document(client, paid, name):
    args = {"entries_pdf": [], "invoice_pdf": [order_invoices(paid).get().number]}.get(
        name, [paid.entries.first().number])
    token = order_token(paid)
    tampered = reverse(f"portal:{name}", args=[token[:-2] + "xx", *args])
    response = client.get(tampered)
    assert response.status_code == 404 and paid.email not in response.content.decode()
    good = reverse(f"portal:{name}", args=[token, *args])
    with time_machine.travel(timedelta(days=3), tick=False), \
            override_settings(POSTSALE_ORDER_LINK_DAYS=2):
        response = client.get(good)
    assert response.status_code == 403
    assert "This link has expired" in response.content.decode()


def test_a_wallet_pass_for_a_valid_entry(client, paid, wallet):
    entry = paid.entries.first()
    response = client.get(url("entry_pass", paid, entry.number))
    assert_private_download(response, "application/vnd.apple.pkpass", f"{entry.number}.pkpass")
    assert {"pass.json", "manifest.json", "signature"} <= set(pkpass_files(response.content))


def test_no_wallet_pass_without_a_setup(client, paid):
    response = client.get(url("entry_pass", paid, paid.entries.first().number))
    assert response.status_code == 404


def test_the_invoice_as_pdf(client, paid):
    invoice = order_invoices(paid).get()
    response = client.get(url("invoice_pdf", paid, invoice.number))
    assert_private_download(response, "application/pdf", f"invoice-{invoice.number}.pdf")
    assert "80.00 PLN" in pdf_text(response.content)


# Digital downloads.

@pytest.fixture
def guide(seller):
    product = make_product(seller, sku="audio-guide", name="Audio guide",
                           kind=ProductKind.DIGITAL, price=1500)
    product.download_file.save("audio-guide.mp3", ContentFile(b"ID3 not really music"))
    return product


@pytest.fixture
def bought(seller, guide, friday):
    return make_order(seller, guide, quantity=1, paid=True)


def download(client, order):
    """Press "Download" on the order page; returns the time-limited link it leads to."""
    line = order.lines.get()
    response = client.get(url("download_link", order, line.pk))
    assert response.status_code == 302
    return response["Location"]


def test_a_paid_download_through_a_fresh_link_is_audited(client, bought):
    html = client.get(order_link(bought)).content.decode()
    line = bought.lines.get()
    assert url("download_link", bought, line.pk) in html and "Audio guide" in html
    link = download(client, bought)
    assert link.startswith("/o/dl/")
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"ID3 not really music"
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "audio-guide" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="download.served")
    assert event.subject == f"order:{bought.pk}" and event.data["product"] == "audio-guide"
    assert event.actor == f"customer:{bought.email}"


def test_a_download_link_expires_and_says_how_to_get_a_new_one(client, bought):
    link = download(client, bought)
    with time_machine.travel(timedelta(hours=24, minutes=1), tick=False):
        response = client.get(link)
    assert response.status_code == 403
    html = response.content.decode()
    assert "This download link has expired" in html and "press “Download” again" in html
    assert "not really music" not in html and bought.number not in html
    with time_machine.travel(timedelta(hours=23, minutes=59), tick=False):
        assert client.get(link).status_code == 200
    with override_settings(POSTSALE_DOWNLOAD_LINK_HOURS=1), \
            time_machine.travel(timedelta(hours=2), tick=False):
        assert client.get(link).status_code == 403
    assert AuditEvent.objects.filter(action="download.served").count() == 1


def test_a_tampered_download_link_is_not_valid(client, bought):
    link = download(client, bought)
    response = client.get(link[:-4] + "xx/")
    assert response.status_code == 404
    assert "This download link is not valid" in response.content.decode()
    assert client.get("/o/dl/nonsense/").status_code == 404
    assert not AuditEvent.objects.filter(action="download.served").exists()


def test_a_refunded_download_is_refused(client, bought):
    link = download(client, bought)
    refund = refund_request(seller=bought.seller, order_number=bought.number,
                            by=RequestedBy.SELLER, actor=SYSTEM)
    refund_process(refund_id=refund.pk)
    response = client.get(link)
    assert response.status_code == 403
    assert "This purchase was refunded" in response.content.decode()
    response = client.get(url("download_link", bought, bought.lines.get().pk))
    assert response.status_code == 403
    assert "This purchase was refunded" in client.get(order_link(bought)).content.decode()
    assert not AuditEvent.objects.filter(action="download.served").exists()


def test_an_unpaid_order_cannot_download(client, seller, guide, friday):
    order = make_order(seller, guide, quantity=1, paid=False)
    line = order.lines.get()
    response = client.get(url("download_link", order, line.pk))
    assert response.status_code == 403
    assert "as soon as the payment is confirmed" in response.content.decode()
    # A link made some other way (it is signed, but the order is unpaid) gives nothing.
    response = client.get(download_link_path(line))
    assert response.status_code == 403 and b"ID3" not in response.content


def test_a_line_of_another_order_is_not_found(client, bought, seller, guide):
    other = make_order(seller, guide, quantity=1, paid=True)
    response = client.get(url("download_link", bought, other.lines.get().pk))
    assert response.status_code == 404


def test_a_missing_file_is_explained(client, bought, guide):
    guide.download_file.storage.delete(guide.download_file.name)
    response = client.get(download(client, bought))
    assert response.status_code == 403
    assert "The file is missing on our side" in response.content.decode()


def test_a_product_without_a_file_offers_no_download(client, seller, friday):
    product = make_product(seller, name="E-book", kind=ProductKind.DIGITAL)
    order = make_order(seller, product, quantity=1, paid=True)
    html = client.get(order_link(order)).content.decode()
    assert "The seller has not added the file yet." in html
    assert url("download_link", order, order.lines.get().pk) not in html


def test_the_download_token_names_only_the_line(bought):
    line = bought.lines.get()
    token = download_token(line)
    assert bought.number not in token and bought.email not in token


def test_entry_states_follow_the_order(client, paid):
    # A used entry shows no code either, and says when it was used.
    entry = paid.entries.first()
    paid.entries.filter(pk=entry.pk).update(status=EntryStatus.USED, used_at=paid.created_at)
    html = client.get(order_link(paid)).content.decode()
    assert "This entry has already been used at the entrance." in html
    assert html.count('class="entry-card__qr"') == 1


def test_a_big_order_comes_in_several_files(client, paid, monkeypatch):
    monkeypatch.setattr("postsale.orders.documents.entries.ENTRIES_PER_PDF", 1)
    first, second = paid.entries.order_by("id")
    html = client.get(order_link(paid)).content.decode()
    assert "Download all entries (PDF)" not in html
    assert "Entries 1–1 (PDF)" in html and "Entries 2–2 (PDF)" in html
    response = client.get(url("entries_pdf", paid) + "?part=2")
    assert_private_download(response, "application/pdf",
                            f"entries-{paid.number}-2-of-2.pdf")
    text = pdf_text(response.content)
    assert second.number in text and first.number not in text
    for part in ("3", "0", "x", "²", "-1"):
        assert client.get(url("entries_pdf", paid) + f"?part={part}").status_code == 404
