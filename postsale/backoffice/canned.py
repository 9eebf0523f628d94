"""Canned replies on the ticket page (SPEC §8, §10): the knowledge-base articles an agent
can insert into the reply box, found by title or tag, in the customer's language, with
the placeholders filled from the ticket's order. Inserting only fills the box; the agent
edits and sends as usual."""

from dataclasses import dataclass

from django.conf import settings

from postsale.core.errors import NotFound
from postsale.kb.canned import canned_text
from postsale.kb.placeholders import values_for
from postsale.kb.selectors import (
    ShownArticle,
    article_get,
    article_search,
    language_chain,
    shown,
)
from postsale.orders.models import Order


@dataclass(frozen=True)
class CannedChoice:
    article: ShownArticle
    language_name: str
    body: str  # filled, ready for the reply box
    checklist: str  # filled numbered steps; empty when the article has none


def _choice(article: ShownArticle, values: dict[str, str]) -> CannedChoice:
    return CannedChoice(
        article=article, language_name=str(dict(settings.LANGUAGES).get(article.language, "")),
        body=canned_text(article, part="body", values=values),
        checklist=canned_text(article, part="checklist", values=values)
        if article.checklist else "")


def canned_choices(order: Order, *, q: str) -> list[CannedChoice]:
    """Articles matching `q` (all active ones when empty), in the order's language."""
    articles = article_search(order.seller, q=q, language=order.language)
    if not articles:
        return []
    values = values_for(order)
    return [_choice(a, values) for a in articles]


def canned_prefill(order: Order, *, article_id: str, part: str) -> str:
    """The text of one article for the reply box (the page without JavaScript asks for
    it by address); empty when there is no such active article of this seller."""
    if not article_id.isdigit():
        return ""
    try:
        article = article_get(seller=order.seller, pk=int(article_id))
    except NotFound:
        return ""
    if not article.active:
        return ""
    found = shown(article, language_chain(order.language, order.seller))
    if found is None:
        return ""
    return canned_text(found, part=part, values=values_for(order))
