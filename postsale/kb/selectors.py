"""Reads of the knowledge base, always within one seller: articles in the reader's
language (falling back to the seller's, then English, then whatever is written), the
articles that fit a customer's situation, search for canned replies, deflection counts."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from postsale.core.errors import NotFound
from postsale.kb.models import Article, ArticleTranslation, Deflection
from postsale.kb.situations import SITUATIONS
from postsale.sellers.models import Seller

SEARCH_LIMIT = 20


@dataclass(frozen=True)
class ShownArticle:
    """An article as one reader sees it: the translation picked for their language."""

    pk: int
    slug: str
    language: str  # the language of the text below (may differ from the one asked for)
    title: str
    body: str
    checklist: tuple[str, ...]
    tags: tuple[str, ...]


def language_chain(language: str, seller: Seller) -> list[str]:
    """Languages to try, in order: the reader's, the seller's, English."""
    return list(dict.fromkeys(lang for lang in (language, seller.language,
                                                settings.LANGUAGE_CODE) if lang))


def pick_translation(translations, chain: list[str]) -> ArticleTranslation | None:
    by_language = {t.language: t for t in translations}
    for language in chain:
        if language in by_language:
            return by_language[language]
    return min(translations, key=lambda t: t.language, default=None)


def shown(article: Article, chain: list[str]) -> ShownArticle | None:
    """`article` (with translations and tags prefetched) in the first language of `chain`
    it is written in; None for an article with no text at all."""
    t = pick_translation(article.translations.all(), chain)
    if t is None:
        return None
    return ShownArticle(pk=article.pk, slug=article.slug, language=t.language, title=t.title,
                        body=t.body, checklist=tuple(t.checklist),
                        tags=tuple(tag.tag for tag in article.tags.all()))


def _with_parts(qs: QuerySet[Article]) -> QuerySet[Article]:
    return qs.prefetch_related("tags", Prefetch("translations",
                                                queryset=ArticleTranslation.objects.all()))


def articles_for_seller(seller: Seller, *, q: str = "", tag: str = "",
                        active: bool | None = None) -> QuerySet[Article]:
    """The seller's articles in display order. `q` matches a title in any language, a tag
    or the short name."""
    qs = Article.objects.filter(seller=seller)
    if active is not None:
        qs = qs.filter(active=active)
    if tag:
        qs = qs.filter(tags__tag=tag.strip().lower())
    q = q.strip()
    if q:
        matching = (Q(translations__title__icontains=q) | Q(slug__icontains=q)
                    | Q(tags__tag__icontains=q.lower().replace(" ", "-")))
        qs = qs.filter(pk__in=Article.objects.filter(seller=seller).filter(matching)
                       .values("pk"))
    return _with_parts(qs.order_by("position", "id"))


def article_get(*, seller: Seller, pk: int) -> Article:
    article = _with_parts(Article.objects.filter(seller=seller, pk=pk)).first()
    if article is None:
        raise NotFound(_("No such article."))
    return article


def situation_articles(seller: Seller, situation: str, language: str) -> list[ShownArticle]:
    """The active articles fitting `situation`, in display order, each in `language`
    where written."""
    if situation not in SITUATIONS:
        return []
    chain = language_chain(language, seller)
    articles = articles_for_seller(seller, tag=situation, active=True)
    return [s for s in (shown(a, chain) for a in articles) if s is not None]


def available_situations(seller: Seller) -> list[tuple[str, str]]:
    """The situations a customer can pick: those with at least one active article."""
    tags = set(Article.objects.filter(seller=seller, active=True,
                                      tags__tag__in=list(SITUATIONS))
               .values_list("tags__tag", flat=True))
    return [(tag, str(label)) for tag, label in SITUATIONS.items() if tag in tags]


def article_search(seller: Seller, *, q: str, language: str) -> list[ShownArticle]:
    """Active articles for a canned reply, found by title (any language), tag or short
    name; each in `language` where written."""
    chain = language_chain(language, seller)
    articles = articles_for_seller(seller, q=q, active=True)[:SEARCH_LIMIT]
    return [s for s in (shown(a, chain) for a in articles) if s is not None]


def deflection_counts(seller: Seller) -> dict[int, tuple[int, int]]:
    """Per article: how many times it was shown to customers, and how many of those
    showings the customer said solved the problem."""
    rows = (Deflection.articles.through.objects.filter(deflection__seller=seller)
            .values("article_id")
            .annotate(shown=Count("id"), solved=Count("id", filter=Q(deflection__solved=True))))
    return {r["article_id"]: (r["shown"], r["solved"]) for r in rows}


def deflection_get(*, order, pk: int) -> Deflection:
    """A deflection of this order only: another order's is not found."""
    deflection = Deflection.objects.filter(order=order, pk=pk).first()
    if deflection is None:
        raise NotFound(_("Not found."))
    return deflection
