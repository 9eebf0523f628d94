from django import template

from postsale.orders.documents.entries import entry_parts
from postsale.orders.models import EntryStatus

register = template.Library()


@register.filter
def printable(entries) -> list:
    """The entries that get a document (valid ones), from a prefetched list."""
    return [e for e in entries if e.status == EntryStatus.VALID]


@register.filter
def pdf_parts(entries) -> list:
    """The files the valid entries come in (see ENTRIES_PER_PDF)."""
    return entry_parts(len(entries))
