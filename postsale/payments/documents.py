"""Invoices as PDF, in the order's language: seller, customer, lines, total, when and how
it was paid, and refunds made since. Rendered with the orders' documents renderer. And
one entry's document, refused with the reason refunds and exchanges give."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from postsale.core.errors import NotFound
from postsale.core.money import format_money
from postsale.orders.documents.entries import check_printable, entry_of_order
from postsale.orders.documents.pdf import render_pdf
from postsale.orders.documents.rules import VoidCause
from postsale.orders.models import Entry, EntryStatus, Order, ProductKind
from postsale.payments.models import Invoice, PaymentStatus, Refund, RefundStatus
from postsale.payments.selectors import void_causes


def printable_entry(order: Order, number: str) -> Entry:
    """An entry of `order` that may be printed or put in a wallet. NotFound for another
    order's entry; DomainError with the reason (refunded, exchanged, not paid…) otherwise."""
    entry = entry_of_order(order, number)
    entry.order = order
    cause = void_causes(order).get(entry.pk, VoidCause.UNKNOWN) \
        if entry.status == EntryStatus.VOID else VoidCause.UNKNOWN
    check_printable(entry, void_cause=cause)
    return entry


@dataclass(frozen=True)
class InvoiceLine:
    name: str
    quantity: int
    unit_price: str
    total: str
    period: tuple[datetime, datetime] | None = None
    starts_at: datetime | None = None


def order_invoices(order: Order) -> QuerySet[Invoice]:
    return (Invoice.objects.filter(order=order).select_related("subscription__line__product")
            .order_by("issued_at", "id"))


def invoice_of_order(order: Order, number: str) -> Invoice:
    """An invoice of this order; another order's number is not found."""
    invoice = order_invoices(order).filter(number=number.strip().upper()).first()
    if invoice is None:
        raise NotFound(_("This order has no invoice %(number)s.") % {"number": number},
                       code="invoice_not_found")
    return invoice


def invoice_lines(invoice: Invoice) -> list[InvoiceLine]:
    """A subscription period's invoice bills that period; the order's other invoice bills
    every line that is not a subscription (settlement._issue_invoices)."""
    currency = invoice.currency
    if invoice.subscription:
        line = invoice.subscription.line
        return [InvoiceLine(line.product.name, 1, format_money(invoice.amount, currency),
                            format_money(invoice.amount, currency),
                            period=(invoice.period_start, invoice.period_end))]
    lines = (invoice.order.lines.select_related("product", "time_slot")
             .exclude(product__kind=ProductKind.SUBSCRIPTION))
    return [InvoiceLine(line.product.name, line.quantity,
                        format_money(line.unit_price, currency),
                        format_money(line.total, currency),
                        starts_at=line.time_slot.starts_at if line.time_slot else None)
            for line in lines]


def invoice_context(invoice: Invoice) -> dict:
    order = invoice.order
    payments = order.payments.filter(status__in=[PaymentStatus.CONFIRMED,
                                                 PaymentStatus.REFUNDED])
    refunds = Refund.objects.filter(order=order, status=RefundStatus.SUCCEEDED)
    return {
        "invoice": invoice, "order": order, "seller": order.seller,
        "customer": order.customer, "lines": invoice_lines(invoice),
        "total": format_money(invoice.amount, invoice.currency),
        "paid_at": order.paid_at or invoice.issued_at,
        "payments": list(payments.order_by("confirmed_at", "id")),
        "refunds": [(r, format_money(r.amount, r.currency))
                    for r in refunds.order_by("succeeded_at", "id")],
        "time_zone": order.seller.time_zone,
    }


def invoice_pdf(invoice: Invoice) -> bytes:
    order = invoice.order
    return render_pdf("payments/documents/invoice.html", invoice_context(invoice),
                      language=order.language, time_zone=order.seller.time_zone)


def invoice_filename(invoice: Invoice) -> str:
    return f"invoice-{invoice.number}.pdf"
