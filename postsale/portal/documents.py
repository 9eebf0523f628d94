"""The customer's documents (SPEC §6): entries with their QR codes on the order page, as
PDF and as Apple Wallet passes, the invoice as PDF, and digital downloads through a
time-limited link. Every response is private and never cached; an entry, invoice or line
of another order is simply not found."""

import mimetypes
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from postsale.core.audit import Actor
from postsale.core.errors import DomainError, NotFound
from postsale.orders.documents import entries as entry_docs
from postsale.orders.documents.entries import Part
from postsale.orders.documents.pdf import PDF_CONTENT_TYPE
from postsale.orders.documents.responses import document_response, entries_download
from postsale.orders.documents.rules import VoidCause, entry_refusal
from postsale.orders.documents.wallet import (
    PKPASS_CONTENT_TYPE,
    entry_pass,
    pass_filename,
)
from postsale.orders.downloads import (
    download_from_token,
    download_link_path,
    download_refusal,
    download_serve,
    downloadable_lines,
)
from postsale.orders.models import Entry, EntryStatus, Order
from postsale.orders.qr import qr_svg
from postsale.payments.documents import (
    invoice_filename,
    invoice_of_order,
    invoice_pdf,
    printable_entry,
)
from postsale.payments.documents import order_invoices as invoices_of
from postsale.payments.selectors import refunded_line_ids, void_causes
from postsale.sellers.wallet import wallet_pass_offered, wallet_signing_material

from .access import Link, order_link, page_language, private

# What the order page shows (portal/_documents.html through portal_documents tags).

@dataclass(frozen=True)
class EntryCard:
    entry: Entry
    product: str
    starts_at: datetime | None
    qr: SafeString | None  # only for a valid entry
    reason: str | None  # why there is no code, in plain words
    pdf_url: str = ""
    pass_url: str = ""


@dataclass(frozen=True)
class DownloadCard:
    product: str
    url: str  # makes a fresh time-limited link
    reason: str | None


@dataclass(frozen=True)
class Documents:
    entries: list[EntryCard]
    all_pdfs: list[tuple[Part, str]]  # every valid entry, in files of ENTRIES_PER_PDF
    invoices: list[tuple[str, str]]  # (number, url)
    downloads: list[DownloadCard]
    download_hours: int = 24


def _entry_card(link: Link, entry: Entry, causes: dict, wallet: bool) -> EntryCard:
    reason = entry_refusal(entry_status=entry.status, order_status=link.order.status,
                           void_cause=causes.get(entry.pk, VoidCause.UNKNOWN))
    slot = entry.time_slot
    common = {"entry": entry, "product": entry.line.product.name,
              "starts_at": slot.starts_at if slot else None}
    if reason:
        return EntryCard(qr=None, reason=reason, **common)
    token, number = link.token, entry.number
    title = _("QR code of entry %(number)s") % {"number": number}
    return EntryCard(
        qr=mark_safe(qr_svg(entry.secret, title=title)),  # noqa: S308 — segno escapes it
        reason=None, pdf_url=reverse("portal:entry_pdf", args=[token, number]),
        pass_url=reverse("portal:entry_pass", args=[token, number]) if wallet else "",
        **common)


def order_documents(link: Link) -> Documents:
    order = link.order
    entries = list(entry_docs.order_entries(order))
    causes = void_causes(order) if any(e.status == EntryStatus.VOID for e in entries) else {}
    wallet = bool(entries) and wallet_pass_offered(order.seller)
    cards = [_entry_card(link, entry, causes, wallet) for entry in entries]
    lines = downloadable_lines(order.lines.select_related("product"))
    refunded = refunded_line_ids(order) if lines else set()
    return Documents(
        entries=cards,
        all_pdfs=[(part, reverse("portal:entries_pdf", args=[link.token])
                   + (f"?part={part.number}" if part.of > 1 else ""))
                  for part in entry_docs.entry_parts(sum(1 for c in cards if c.qr))],
        invoices=[(i.number, reverse("portal:invoice_pdf", args=[link.token, i.number]))
                  for i in invoices_of(order)],
        downloads=[DownloadCard(
            product=line.product.name,
            url=reverse("portal:download_link", args=[link.token, line.pk]),
            reason=download_refusal(order_status=order.status, product_kind=line.product.kind,
                                    has_file=bool(line.product.download_file),
                                    refunded=line.pk in refunded))
            for line in lines],
        download_hours=settings.POSTSALE_DOWNLOAD_LINK_HOURS)


# Views.

def unavailable(request: HttpRequest, link: Link | None, exc: DomainError) -> HttpResponse:
    order = link.order if link else None
    return render(request, "portal/document_unavailable.html",
                  {"link": link, "order": order, "reason": exc.message}, status=exc.status)


def _entry(link: Link, number: str) -> Entry:
    """This order's entry, valid — else Http404 (not this order's) or DomainError (why
    it has no document)."""
    try:
        return printable_entry(link.order, number)
    except NotFound:
        raise Http404 from None


@require_GET
@order_link
def entries_pdf_view(request: HttpRequest, link: Link) -> HttpResponse:
    try:
        return entries_download(link.order, part=request.GET.get("part"))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return unavailable(request, link, exc)


@require_GET
@order_link
def entry_pdf_view(request: HttpRequest, link: Link, number: str) -> HttpResponse:
    try:
        return entries_download(link.order, entry=_entry(link, number))
    except DomainError as exc:
        return unavailable(request, link, exc)


@require_GET
@order_link
def entry_pass_view(request: HttpRequest, link: Link, number: str) -> HttpResponse:
    material = wallet_signing_material(link.order.seller)
    if material is None:  # the seller has no Wallet setup: no such document
        raise Http404
    try:
        entry = _entry(link, number)
        content = entry_pass(entry, material)
    except DomainError as exc:
        return unavailable(request, link, exc)
    return document_response(content, content_type=PKPASS_CONTENT_TYPE,
                         filename=pass_filename(entry))


@require_GET
@order_link
def invoice_pdf_view(request: HttpRequest, link: Link, number: str) -> HttpResponse:
    try:
        invoice = invoice_of_order(link.order, number)
    except DomainError:
        raise Http404 from None
    invoice.order = link.order
    return document_response(invoice_pdf(invoice), content_type=PDF_CONTENT_TYPE,
                         filename=invoice_filename(invoice))


@require_GET
@order_link
def download_link_view(request: HttpRequest, link: Link, line_id: int) -> HttpResponse:
    """A fresh time-limited link to the line's file (the order page's "Download")."""
    order: Order = link.order
    line = order.lines.select_related("product").filter(pk=line_id).first()
    if line is None:
        raise Http404
    reason = download_refusal(order_status=order.status, product_kind=line.product.kind,
                              has_file=bool(line.product.download_file),
                              refunded=line.pk in refunded_line_ids(order))
    if reason:
        return unavailable(request, link, DomainError("download_unavailable", reason,
                                                      status=403))
    return redirect(download_link_path(line), permanent=False)


@require_GET
def download_view(request: HttpRequest, token: str) -> HttpResponse:
    """The file behind a time-limited link; a bad or old link says how to get a new one."""
    found = download_from_token(token)
    if found.line is None:
        response = render(request, "portal/download_invalid.html", {"expired": found.expired},
                          status=403 if found.expired else 404)
        private(response)
        return response
    line, order = found.line, found.line.order
    with translation.override(page_language(request, order)), \
            timezone.override(order.seller.time_zone):
        try:
            stored = download_serve(line=line, refunded=line.pk in refunded_line_ids(order),
                                    actor=Actor("customer", label=order.email))
        except DomainError as exc:
            response = render(request, "portal/download_invalid.html",
                              {"reason": exc.message}, status=exc.status)
            private(response)
            return response
    name = stored.name.rsplit("/", 1)[-1]
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=name,
                            content_type=mimetypes.guess_type(name)[0]
                            or "application/octet-stream")
    # A seller's file is never rendered as one of our pages.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    private(response)
    return response
