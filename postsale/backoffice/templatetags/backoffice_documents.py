from django import template

from postsale.orders.models import EntryStatus

register = template.Library()


@register.filter
def printable(entries) -> list:
    """The entries that get a document (valid ones), from a prefetched list."""
    return [e for e in entries if e.status == EntryStatus.VALID]
