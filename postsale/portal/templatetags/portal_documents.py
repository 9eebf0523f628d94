"""The order page's documents section (portal/_documents.html) gathers its own data, so
the order page only includes it."""

from django import template

from postsale.portal.documents import Documents, order_documents

register = template.Library()


@register.simple_tag
def documents_of(link) -> Documents:
    return order_documents(link)
