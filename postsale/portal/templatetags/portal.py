from django import template
from django.conf import settings
from django.utils import formats, timezone
from django.utils.html import format_html

from postsale.core.money import format_money

register = template.Library()


@register.filter
def money(amount: int, currency: str) -> str:
    return format_money(amount, currency)


@register.filter
def when(value, with_weekday: bool = False):
    """A moment on the seller's clock (the page runs in the seller's time zone), kept
    left-to-right inside right-to-left text."""
    if not value:
        return ""
    local = timezone.localtime(value)
    text = formats.date_format(local, "DATETIME_FORMAT")
    if with_weekday:
        text = f"{formats.date_format(local, 'l')}, {text}"
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), text)


@register.simple_tag
def attachment_limits() -> dict:
    size = settings.POSTSALE_ATTACHMENT_MAX_BYTES
    return {"files": settings.POSTSALE_ATTACHMENT_MAX_FILES,
            "mb": size // (1024 * 1024) or round(size / 1048576, 2)}
