"""The order's documents for agents: the same entries and invoice PDFs the customer gets
(postsale.orders.documents, postsale.payments.documents). Owners, agents and viewers;
door staff check entries in, they do not hand them out."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.views import order_or_404
from postsale.core.errors import DomainError, NotFound
from postsale.orders.documents.pdf import PDF_CONTENT_TYPE
from postsale.orders.documents.responses import document_response, entries_download
from postsale.payments.documents import (
    invoice_filename,
    invoice_of_order,
    invoice_pdf,
    printable_entry,
)


def _unavailable(request: HttpRequest, order, exc: DomainError) -> HttpResponse:
    return render(request, "backoffice/orders/document_unavailable.html",
                  {"order": order, "reason": exc.message}, status=exc.status)


@require_GET
@seller_required(can=Cap.VIEW_ORDERS)
def order_entries_pdf(request: HttpRequest, number: str) -> HttpResponse:
    order = order_or_404(request, number)
    try:
        return entries_download(order, part=request.GET.get("part"))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return _unavailable(request, order, exc)


@require_GET
@seller_required(can=Cap.VIEW_ORDERS)
def entry_pdf(request: HttpRequest, number: str, entry: str) -> HttpResponse:
    order = order_or_404(request, number)
    try:
        return entries_download(order, entry=printable_entry(order, entry))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return _unavailable(request, order, exc)


@require_GET
@seller_required(can=Cap.VIEW_ORDERS)
def order_invoice_pdf(request: HttpRequest, number: str, invoice: str) -> HttpResponse:
    order = order_or_404(request, number)
    try:
        found = invoice_of_order(order, invoice)
    except NotFound:
        raise Http404 from None
    found.order = order
    return document_response(invoice_pdf(found), content_type=PDF_CONTENT_TYPE,
                             filename=invoice_filename(found))
