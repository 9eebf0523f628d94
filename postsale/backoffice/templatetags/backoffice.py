import json

from django import template
from django.utils import dateformat
from django.utils.html import format_html

from postsale.backoffice import presenters
from postsale.core.contact import format_phone
from postsale.core.money import format_money

register = template.Library()


@register.simple_tag
def badge(status: str, label: str):
    """A status in words, coloured by its tone; the words alone carry the meaning."""
    return format_html('<span class="badge badge--{}" data-status="{}">{}</span>',
                       presenters.tone(status), status, label)


@register.filter
def money(amount: int, currency: str) -> str:
    return format_money(amount, currency)


@register.filter
def notification_kind(kind: str) -> str:
    return presenters.notification_kind_label(kind)


@register.filter
def audit_data(data: dict) -> str:
    """`key: value` pairs of an audit row's data, compact and stable."""
    if not data:
        return ""
    return ", ".join(f"{k}: {v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}"
                     for k, v in sorted(data.items()))


@register.filter(expects_localtime=True)
def when(value, fmt: str = "Y-m-d H:i"):
    """A time in the current (the seller's) time zone, kept left-to-right inside RTL text."""
    if not value:
        return "—"
    return format_html('<time datetime="{}" dir="ltr">{}</time>', value.isoformat(),
                       dateformat.format(value, fmt))


@register.filter
def refund_item(item) -> str:
    return presenters.refund_item_label(item)


@register.filter
def refund_status_help(status: str) -> str:
    return presenters.refund_status_help(status)


@register.filter
def flag_help(kind: str) -> str:
    return presenters.flag_help(kind)


@register.filter
def join_labels(kinds) -> str:
    """What the search box took a query for: "phone, payment id, surname"."""
    return ", ".join(str(kind.label) for kind in kinds)


@register.filter
def phone(e164: str) -> str:
    return format_phone(e164) if e164 else ""
