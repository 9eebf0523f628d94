"""Template helpers for troubleshooting articles on the customer's pages."""

from django import template

from postsale.kb.placeholders import fill, fill_html, fill_inline
from postsale.kb.selectors import available_situations

register = template.Library()


@register.simple_tag
def help_situations(order) -> list[tuple[str, str]]:
    """The situations the customer can pick (those the seller has articles for)."""
    return available_situations(order.seller)


@register.filter
def article_html(text: str, values: dict):
    return fill_html(text, values)


@register.filter
def article_line(text: str, values: dict):
    return fill_inline(text, values)


@register.filter
def article_text(text: str, values: dict) -> str:
    return fill(text, values)
