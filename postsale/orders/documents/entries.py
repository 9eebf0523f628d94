"""Entries as a PDF: one page per entry with its QR code, number, holder, product, time
slot (seller's time zone), order and seller. Only valid entries are printed: a page with
a code that no longer opens the gate would only cause trouble at the door."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from postsale.core.errors import DomainError, NotFound
from postsale.orders.documents.pdf import render_pdf
from postsale.orders.documents.rules import VoidCause, entry_refusal
from postsale.orders.models import Entry, EntryStatus, Order
from postsale.orders.qr import qr_svg

# Pages per file: weasyprint needs roughly 0.1–0.2 s a page, so a big group order comes as
# several files instead of one request that outlives the web server's timeout.
ENTRIES_PER_PDF = 50


@dataclass(frozen=True)
class PrintedEntry:
    number: str
    product: str
    holder: str
    starts_at: datetime | None
    ends_at: datetime | None
    qr: SafeString  # inline SVG made by segno from the secret, nothing user-written


def order_entries(order: Order) -> QuerySet[Entry]:
    return (Entry.objects.filter(order=order).select_related("line__product", "time_slot")
            .order_by("id"))


def valid_entries(order: Order) -> list[Entry]:
    return list(order_entries(order).filter(status=EntryStatus.VALID))


@dataclass(frozen=True)
class Part:
    """One file of an order's entries: positions `first`–`last` (1-based) of `of` parts."""

    number: int
    first: int
    last: int
    of: int


def entry_parts(count: int) -> list[Part]:
    total = -(-count // ENTRIES_PER_PDF)
    return [Part(n + 1, n * ENTRIES_PER_PDF + 1, min(count, (n + 1) * ENTRIES_PER_PDF), total)
            for n in range(total)]


def entries_part(order: Order, number: str | None) -> tuple[Part | None, list[Entry]]:
    """The valid entries in part `number` ("1" when not given) of the order's files.
    No valid entries at all: (None, []), which entries_pdf explains; a part that does not
    exist is not found."""
    entries = valid_entries(order)
    if not entries:
        return None, []
    parts = entry_parts(len(entries))
    number = number or "1"
    wanted = int(number) if number.isascii() and number.isdigit() else 0
    if not 1 <= wanted <= len(parts):
        raise NotFound(_("This order has no such file of entries."), code="part_not_found")
    part = parts[wanted - 1]
    return part, entries[part.first - 1:part.last]


def entry_of_order(order: Order, number: str) -> Entry:
    """An entry of this order; any other number (another order's entry too) is not
    found."""
    entry = order_entries(order).filter(number=number.strip().upper()).first()
    if entry is None:
        raise NotFound(_("This order has no entry %(number)s.") % {"number": number},
                       code="entry_not_found")
    return entry


def check_printable(entry: Entry, *, void_cause: VoidCause = VoidCause.UNKNOWN) -> None:
    reason = entry_refusal(entry_status=entry.status, order_status=entry.order.status,
                           void_cause=void_cause)
    if reason:
        raise DomainError(code="entry_not_valid", message=reason, status=409)


def holder_name(order: Order) -> str:
    return order.customer.full_name or order.email


def printed(entry: Entry, holder: str) -> PrintedEntry:
    slot = entry.time_slot
    return PrintedEntry(number=entry.number, product=entry.line.product.name, holder=holder,
                        starts_at=slot.starts_at if slot else None,
                        ends_at=slot.ends_at if slot else None,
                        qr=mark_safe(qr_svg(entry.secret)))  # noqa: S308 — generated SVG


def entries_pdf(order: Order, entries: list[Entry]) -> bytes:
    """The PDF of `entries` (valid entries of `order`), in the order's language."""
    if not entries:
        raise DomainError(code="no_valid_entries", status=409, message=_(
            "This order has no valid entries to print."))
    for entry in entries:
        if entry.order_id != order.pk:
            raise NotFound(_("This order has no entry %(number)s.") % {"number": entry.number},
                           code="entry_not_found")
        entry.order = order
        check_printable(entry)
    holder = holder_name(order)
    seller = order.seller
    return render_pdf("orders/documents/entries.html", {
        "order": order, "seller": seller, "time_zone": seller.time_zone,
        "entries": [printed(e, holder) for e in entries],
    }, language=order.language, time_zone=seller.time_zone)


def entries_filename(order: Order, entry: Entry | None = None,
                     part: Part | None = None) -> str:
    if entry:
        return f"entry-{entry.number}.pdf"
    if part and part.of > 1:
        return f"entries-{order.number}-{part.number}-of-{part.of}.pdf"
    return f"entries-{order.number}.pdf"
