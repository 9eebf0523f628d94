"""Placeholders in article text, filled from the order when an article is shown to its
customer or inserted by an agent as a reply. The one list: the editor shows it, and
`fill` knows no others (any other text in braces is left as written)."""

import re
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from postsale.orders import links
from postsale.orders.models import Order

PLACEHOLDERS = {
    "customer_name": _("The customer's name (or e-mail address when no name is known)"),
    "order_number": _("The order number, PID-…"),
    "order_email": _("The e-mail address the order's mail goes to"),
    "seller_name": _("Your name, as customers see it"),
    "support_email": _("Your support e-mail address"),
    "order_link": _("The link to the customer's order page"),
}

_TOKEN = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Placeholder:
    token: str  # "{order_number}"
    help: str


def placeholder_list() -> list[Placeholder]:
    return [Placeholder("{" + name + "}", str(help)) for name, help in PLACEHOLDERS.items()]


def values_for(order: Order, *, order_link: str | None = None) -> dict[str, str]:
    """What each placeholder stands for on this order. `order_link`: a link the caller
    already has (the customer's own page); otherwise a fresh signed one."""
    seller = order.seller
    return {
        "customer_name": order.customer.full_name or order.email,
        "order_number": order.number,
        "order_email": order.email,
        "seller_name": seller.name,
        "support_email": seller.reply_to_email,
        "order_link": order_link or links.order_url(order),
    }


def fill(text: str, values: dict[str, str]) -> str:
    """Replace the known placeholders; unknown names and stray braces stay as they are."""
    return _TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def unknown_in(text: str) -> list[str]:
    """Names in braces that are not placeholders: most likely typos, shown to the editor."""
    return sorted({m.group(1) for m in _TOKEN.finditer(text)} - set(PLACEHOLDERS))


def fill_html(text: str, values: dict[str, str]) -> SafeString:
    """`text` as HTML paragraphs, placeholders filled: values isolated for right-to-left
    text (`<bdi>`), the order link a link. Everything else is escaped."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return mark_safe("".join(  # noqa: S308 — built only from escaped parts
        "<p>" + _fill_line(p, values).replace("\n", "<br>") + "</p>" for p in paragraphs))


def fill_inline(text: str, values: dict[str, str]) -> SafeString:
    """One line (a checklist step), filled and escaped like `fill_html`."""
    return mark_safe(_fill_line(text, values))  # noqa: S308 — built only from escaped parts


def _fill_line(text: str, values: dict[str, str]) -> str:
    parts, last = [], 0
    for m in _TOKEN.finditer(text):
        name = m.group(1)
        if name not in values:
            continue
        parts.append(escape(text[last:m.start()]))
        value = values[name]
        if name == "order_link":
            parts.append(format_html('<a href="{}" dir="ltr">{}</a>', value, value))
        else:
            parts.append(format_html("<bdi>{}</bdi>", value))
        last = m.end()
    parts.append(escape(text[last:]))
    return "".join(str(p) for p in parts)
