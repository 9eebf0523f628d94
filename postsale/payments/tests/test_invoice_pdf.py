"""Invoices as PDF, read back with pdftotext: seller, customer, lines, money, dates — in the
order's language, right to left in Hebrew."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from postsale.core.audit import SYSTEM
from postsale.core.errors import NotFound
from postsale.orders.documents.pdf import render_html
from postsale.orders.models import ProductKind
from postsale.orders.tests.documents_helpers import make_named_order, pdf_text
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.documents import (
    invoice_context,
    invoice_filename,
    invoice_of_order,
    invoice_pdf,
    order_invoices,
)
from postsale.payments.refunds import refund_process, refund_request
from postsale.payments.rules import RequestedBy

pytestmark = pytest.mark.django_db
WAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def december(seller):
    # 23:30 UTC on 30 November is already 1 December in Warsaw.
    with time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("UTC")),
                             tick=False):
        yield


def test_the_invoice_shows_seller_customer_lines_total_and_paid_date(seller, december):
    tickets = make_product(seller, name="Bilet normalny", price=4500)
    order = make_named_order(seller, tickets, quantity=3, language="pl",
                             first_name="Grzegorz", last_name="Brzęczyszczykiewicz",
                             email="grzegorz@example.com")
    invoice = order_invoices(order).get()
    text = pdf_text(invoice_pdf(invoice))
    assert invoice.number in text and order.number in text
    assert "Acme Events" in text and "owner@acme.example" in text
    assert "Grzegorz Brzęczyszczykiewicz" in text and "grzegorz@example.com" in text
    assert "Bilet normalny" in text
    assert "45.00 PLN" in text and "135.00 PLN" in text
    # Paid and issued on the seller's calendar day, in Polish.
    assert text.count("1 grudnia 2026") >= 2
    payment = order.payments.get()
    assert payment.provider_transaction_id in text
    assert invoice_filename(invoice) == f"invoice-{invoice.number}.pdf"


def test_a_subscription_invoice_bills_its_period_and_the_rest_is_on_the_other(seller):
    membership = make_product(seller, name="Membership", kind=ProductKind.SUBSCRIPTION,
                              billing_period_months=1, price=4900)
    order = make_order(seller, membership, quantity=1, paid=True)
    invoice = order_invoices(order).get()
    context = invoice_context(invoice)
    assert [line.name for line in context["lines"]] == ["Membership"]
    assert context["lines"][0].period == (invoice.period_start, invoice.period_end)
    text = pdf_text(invoice_pdf(invoice))
    assert "Membership" in text and "49.00 PLN" in text


def test_refunds_made_since_are_listed(seller):
    order = make_order(seller, make_product(seller, price=4000), quantity=2, paid=True)
    entry = order.entries.first()
    refund = refund_request(seller=seller, order_number=order.number, by=RequestedBy.SELLER,
                            actor=SYSTEM, keys=[f"entry:{entry.number}"])
    refund_process(refund_id=refund.pk)
    text = pdf_text(invoice_pdf(order_invoices(order).get()))
    assert refund.number in text and "40.00 PLN" in text and "80.00 PLN" in text


@pytest.mark.parametrize(("language", "first", "last"), [
    ("he", "יעל", "בן־דוד"), ("uk", "Богдана", "Шевченко"), ("it", "Chiara", "Lucà")])
def test_names_survive_and_hebrew_is_right_to_left(seller, language, first, last):
    order = make_named_order(seller, make_product(seller, name="Museum"), language=language,
                             first_name=first, last_name=last)
    invoice = order_invoices(order).get()
    text = pdf_text(invoice_pdf(invoice))
    assert f"{first} {last}" in text or f"{last} {first}" in text
    assert "50.00 PLN" in text and "PLN 50.00" not in text  # money reads left to right
    html = render_html("payments/documents/invoice.html", invoice_context(invoice),
                       language=language, time_zone=seller.time_zone)
    assert f'dir="{"rtl" if language == "he" else "ltr"}"' in html


def test_another_orders_invoice_is_not_found(seller, other_seller):
    mine = make_order(seller, make_product(seller), paid=True)
    theirs = make_order(other_seller, make_product(other_seller), paid=True)
    with pytest.raises(NotFound):
        invoice_of_order(mine, order_invoices(theirs).get().number)
    assert invoice_of_order(mine, order_invoices(mine).get().number.lower()).order_id == mine.pk
