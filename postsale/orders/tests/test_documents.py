"""Entries as PDF: what each page says (read back with pdftotext), in the customer's
language and script, and which entries get no page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from postsale.core.audit import SYSTEM
from postsale.core.errors import DomainError, NotFound
from postsale.orders.documents.entries import (
    entries_filename,
    entries_pdf,
    entry_of_order,
    valid_entries,
)
from postsale.orders.documents.pdf import render_html
from postsale.orders.documents.rules import VoidCause, entry_refusal
from postsale.orders.models import EntryStatus, OrderStatus, ProductKind
from postsale.orders.tests.documents_helpers import make_named_order, pdf_pages, pdf_text
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments.refunds import refund_process, refund_request
from postsale.payments.rules import RequestedBy

pytestmark = pytest.mark.django_db
WAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def tour(seller):
    """A guided tour on Friday 4 December 2026, 18:00–20:00 in Warsaw (17:00 UTC), sold a
    week before."""
    with time_machine.travel(datetime(2026, 11, 27, 9, 0, tzinfo=WAW), tick=False):
        product = make_product(seller, name="Nocne zwiedzanie z przewodnikiem",
                               kind=ProductKind.TIMED_ENTRY, price=8900)
        slot = make_slot(product, starts_in=datetime(2026, 12, 4, 18, tzinfo=WAW)
                         - datetime(2026, 11, 27, 9, tzinfo=WAW))
        yield product, slot


def test_one_page_per_entry_with_number_holder_product_slot_order_and_seller(seller, tour):
    product, slot = tour
    order = make_named_order(seller, product, slot=slot, quantity=3, language="pl",
                             first_name="Łucja", last_name="Żółkiewska-Gęś")
    entries = valid_entries(order)
    content = entries_pdf(order, entries)
    text = pdf_text(content)
    assert pdf_pages(content) == 3
    for entry in entries:
        assert entry.number in text
        assert entry.secret not in text  # the code is only in the QR image
    assert text.count("Łucja Żółkiewska-Gęś") == 3
    assert text.count("Nocne zwiedzanie z przewodnikiem") == 3
    assert text.count(order.number) == 3 and "Acme Events" in text
    # The seller's wall clock, in Polish: Friday 4 December, 18:00–20:00.
    assert "Piątek, 4 grudnia 2026 18:00" in text and "20:00" in text
    assert "Europe/Warsaw" in text
    assert entries_filename(order) == f"entries-{order.number}.pdf"
    assert entries_filename(order, entries[0]) == f"entry-{entries[0].number}.pdf"


@pytest.mark.parametrize(("language", "first", "last"), [
    ("uk", "Олександра", "Ковальчук-Їжакевич"),
    ("he", "שׂרה", "לוי־כהן"),
    ("it", "Niccolò", "D'Àngelo"),
])
def test_names_in_other_scripts_survive(seller, language, first, last):
    product = make_product(seller, name="Вхідний квиток", price=3200)
    order = make_named_order(seller, product, language=language, first_name=first,
                             last_name=last, quantity=1)
    text = pdf_text(entries_pdf(order, valid_entries(order)))
    assert f"{first} {last}" in text or f"{last} {first}" in text
    assert "Вхідний квиток" in text and order.number in text
    assert valid_entries(order)[0].number in text


def test_a_hebrew_document_is_right_to_left_and_english_left_to_right(seller):
    product = make_product(seller, name="Museum entry")
    hebrew = make_named_order(seller, product, language="he", first_name="דוד",
                              last_name="מזרחי")
    english = make_named_order(seller, product, language="en", first_name="Ann",
                               last_name="Lee")
    context = {"order": hebrew, "seller": seller, "entries": [], "time_zone": "Asia/Jerusalem"}
    assert 'dir="rtl"' in render_html("orders/documents/entries.html", context,
                                      language="he", time_zone="Asia/Jerusalem")
    assert 'dir="ltr"' in render_html("orders/documents/entries.html",
                                      context | {"order": english},
                                      language="en", time_zone="Europe/Warsaw")


def test_a_name_cannot_inject_markup_into_the_document(seller):
    product = make_product(seller)
    order = make_named_order(seller, product, language="en",
                             first_name='<img src="http://203.0.113.9/x.png">Eve',
                             last_name="<b>Bold</b>")
    text = pdf_text(entries_pdf(order, valid_entries(order)))
    assert '<img src="http://203.0.113.9/x.png">Eve' in text and "<b>Bold</b>" in text


def test_pending_entries_of_an_unpaid_order_get_no_page(seller):
    order = make_order(seller, make_product(seller), quantity=2, paid=False)
    entry = order.entries.first()
    assert entry.status == EntryStatus.PENDING
    with pytest.raises(DomainError) as refused:
        entries_pdf(order, [entry])
    assert refused.value.code == "entry_not_valid" and refused.value.status == 409
    assert "waiting for the payment" in refused.value.message
    with pytest.raises(DomainError) as nothing:
        entries_pdf(order, valid_entries(order))
    assert nothing.value.code == "no_valid_entries"


def test_refunded_entries_get_no_page_and_the_rest_still_do(seller):
    order = make_order(seller, make_product(seller, price=4000), quantity=2, paid=True)
    first, second = order.entries.order_by("id")
    refund = refund_request(seller=seller, order_number=order.number, by=RequestedBy.SELLER,
                            actor=SYSTEM, keys=[f"entry:{first.number}"])
    refund_process(refund_id=refund.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    first.refresh_from_db()
    with pytest.raises(DomainError, match="no longer valid"):
        entries_pdf(order, [first])
    text = pdf_text(entries_pdf(order, valid_entries(order)))
    assert second.number in text and first.number not in text


def test_another_orders_entry_is_not_found(seller, other_seller):
    mine = make_order(seller, make_product(seller), quantity=1, paid=True)
    theirs = make_order(other_seller, make_product(other_seller), quantity=1, paid=True)
    stranger = theirs.entries.get()
    with pytest.raises(NotFound):
        entry_of_order(mine, stranger.number)
    with pytest.raises(NotFound):
        entries_pdf(mine, [stranger])
    assert entry_of_order(mine, mine.entries.get().number.lower()).order_id == mine.pk


@pytest.mark.parametrize(("entry", "order", "cause", "words"), [
    ("valid", "paid", VoidCause.UNKNOWN, None),
    ("pending", "awaiting_payment", VoidCause.UNKNOWN, "waiting for the payment"),
    ("pending", "expired", VoidCause.UNKNOWN, "not confirmed in time"),
    ("pending", "canceled", VoidCause.UNKNOWN, "canceled"),
    ("used", "paid", VoidCause.UNKNOWN, "already been used"),
    ("void", "partially_refunded", VoidCause.REFUNDED, "refunded"),
    ("void", "refunded", VoidCause.UNKNOWN, "refunded"),
    ("void", "paid", VoidCause.EXCHANGED, "exchanged for another one"),
    ("void", "canceled", VoidCause.UNKNOWN, "canceled"),
    ("void", "paid", VoidCause.UNKNOWN, "no longer valid"),
])
def test_why_an_entry_has_no_code(entry, order, cause, words):
    reason = entry_refusal(entry_status=entry, order_status=order, void_cause=cause)
    assert reason is None if words is None else words in reason
