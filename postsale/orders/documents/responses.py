"""How a document leaves the server, the same for customers and agents: a download named
after the order or entry, never cached by anyone but the person's own browser (it carries
their name and the codes that open the gate)."""

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from postsale.orders.documents import entries as entry_docs
from postsale.orders.documents.pdf import PDF_CONTENT_TYPE


def document_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


def entries_download(order, *, part: str | None = None, entry=None) -> HttpResponse:
    """The order's valid entries as a PDF download: one file of the set (`part`; files
    of 50) or the one `entry`. Raises NotFound (no such part) or DomainError (nothing
    to print, and why)."""
    if entry is not None:
        chosen, entries = None, [entry]
    else:
        chosen, entries = entry_docs.entries_part(order, part)
    return document_response(entry_docs.entries_pdf(order, entries),
                             content_type=PDF_CONTENT_TYPE,
                             filename=entry_docs.entries_filename(order, entry, part=chosen))
