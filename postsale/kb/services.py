"""Writes to the knowledge base: articles (with their translations and tags), the
starter articles of a new seller, and the customer's answers to "Did this solve it?"."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from postsale.core import clock
from postsale.core.audit import SYSTEM, Actor, audit
from postsale.core.errors import Invalid
from postsale.kb import selectors
from postsale.kb.models import Article, ArticleTag, ArticleTranslation, Deflection
from postsale.kb.starter import seed_starter_articles
from postsale.orders.models import Order
from postsale.sellers.models import Seller

MAX_TITLE, MAX_BODY, MAX_ITEM, MAX_ITEMS, MAX_TAGS = 200, 20_000, 500, 30, 20


@dataclass(frozen=True)
class TranslationDraft:
    title: str = ""
    body: str = ""
    checklist: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.title.strip() or self.body.strip() or self.checklist)


@dataclass(frozen=True)
class ArticleDraft:
    """An article as the editor sent it. Languages left empty are not stored."""

    slug: str
    tags: tuple[str, ...] = ()
    position: int = 100
    active: bool = True
    translations: dict[str, TranslationDraft] = field(default_factory=dict)


def _clean(draft: ArticleDraft, *, seller: Seller, article: Article | None) -> ArticleDraft:
    """The draft with whitespace trimmed and empty languages dropped; Invalid naming every
    field to fix."""
    errors: dict[str, str] = {}
    slug = draft.slug.strip().lower()
    if not slug or slugify(slug) != slug or len(slug) > 80:
        errors["slug"] = _("Use lower-case letters, digits and hyphens (at most 80).")
    elif (Article.objects.filter(seller=seller, slug=slug)
          .exclude(pk=article.pk if article else None).exists()):
        errors["slug"] = _("Another article already has this short name.")
    tags = tuple(dict.fromkeys(t.strip().lower() for t in draft.tags if t.strip()))
    bad = [t for t in tags if slugify(t) != t or len(t) > 50]
    if bad:
        errors["tags"] = _("Tags are single words or words joined by hyphens: %(tags)s.") % {
            "tags": ", ".join(bad)}
    elif len(tags) > MAX_TAGS:
        errors["tags"] = _("At most %(n)d tags.") % {"n": MAX_TAGS}
    if not 0 <= draft.position <= 32767:
        errors["position"] = _("Use a number from 0 to 32767.")
    translations = {}
    for language, t in draft.translations.items():
        if language not in dict(settings.LANGUAGES):
            errors[f"translations.{language}"] = _("Unknown language.")
        elif not t.is_empty:
            translations[language] = _clean_translation(language, t, errors)
    if not translations and not any(k.startswith("translations.") for k in errors):
        errors["translations"] = _("Write the article in at least one language.")
    if errors:
        raise Invalid(_("The article was not saved; correct the marked fields."), errors)
    return ArticleDraft(slug=slug, tags=tags, position=draft.position, active=draft.active,
                        translations=translations)


def _clean_translation(language: str, t: TranslationDraft,
                       errors: dict[str, str]) -> TranslationDraft:
    key = f"translations.{language}"
    title, body = t.title.strip(), t.body.strip()
    items = tuple(i.strip() for i in t.checklist if i.strip())
    if not title:
        errors[f"{key}.title"] = _("Give this language a title, or leave it all empty.")
    elif len(title) > MAX_TITLE:
        errors[f"{key}.title"] = _("At most %(n)d characters.") % {"n": MAX_TITLE}
    if not body and not items:
        errors[f"{key}.body"] = _("Write the text or the checklist.")
    elif len(body) > MAX_BODY:
        errors[f"{key}.body"] = _("At most %(n)d characters.") % {"n": MAX_BODY}
    if len(items) > MAX_ITEMS or any(len(i) > MAX_ITEM for i in items):
        errors[f"{key}.checklist"] = _(
            "At most %(items)d steps of at most %(chars)d characters each.") % {
                "items": MAX_ITEMS, "chars": MAX_ITEM}
    return TranslationDraft(title=title, body=body, checklist=items)


def _write_parts(article: Article, draft: ArticleDraft) -> None:
    """Replace the article's tags and translations with the draft's."""
    article.tags.all().delete()
    ArticleTag.objects.bulk_create([ArticleTag(article=article, tag=t) for t in draft.tags])
    article.translations.exclude(language__in=list(draft.translations)).delete()
    for language, t in draft.translations.items():
        ArticleTranslation.objects.update_or_create(
            article=article, language=language,
            defaults={"title": t.title, "body": t.body, "checklist": list(t.checklist)})


def article_create(*, seller: Seller, draft: ArticleDraft, actor: Actor,
                   now: datetime | None = None) -> Article:
    now = now or clock.now()
    draft = _clean(draft, seller=seller, article=None)
    with transaction.atomic():
        article = Article.objects.create(seller=seller, slug=draft.slug, active=draft.active,
                                         position=draft.position, created_at=now,
                                         updated_at=now)
        _write_parts(article, draft)
        audit(seller=seller, obj=article, action="article.created", actor=actor, now=now,
              data={"slug": article.slug, "languages": sorted(draft.translations)})
    return article


def article_update(*, article: Article, draft: ArticleDraft, actor: Actor,
                   now: datetime | None = None) -> Article:
    now = now or clock.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().select_related("seller").get(
            pk=article.pk)
        draft = _clean(draft, seller=article.seller, article=article)
        article.slug, article.position, article.active = draft.slug, draft.position, \
            draft.active
        article.updated_at = now
        article.save(update_fields=["slug", "position", "active", "updated_at"])
        _write_parts(article, draft)
        audit(seller=article.seller, obj=article, action="article.updated", actor=actor,
              now=now, data={"slug": article.slug, "active": article.active,
                             "languages": sorted(draft.translations)})
    return article


def article_set_active(*, article: Article, active: bool, actor: Actor,
                       now: datetime | None = None) -> Article:
    """Deactivate (hidden from customers and canned replies, kept for the record) or
    activate again."""
    now = now or clock.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().select_related("seller").get(
            pk=article.pk)
        if article.active != active:
            article.active, article.updated_at = active, now
            article.save(update_fields=["active", "updated_at"])
            audit(seller=article.seller, obj=article, now=now, actor=actor,
                  action="article.activated" if active else "article.deactivated")
    return article


def kb_seed_starter_articles(*, seller: Seller, actor: Actor = SYSTEM,
                             now: datetime | None = None) -> int:
    """Give `seller` the starter articles it does not have yet (idempotent)."""
    now = now or clock.now()
    with transaction.atomic():
        added = seed_starter_articles(seller.pk, now=now, Article=Article,
                                      ArticleTag=ArticleTag,
                                      ArticleTranslation=ArticleTranslation)
        if added:
            audit(seller=seller, obj=seller, action="kb.starter_articles_added", actor=actor,
                  now=now, data={"articles": added})
    return added


def kb_seed_on_seller_created(sender, seller: Seller, actor: Actor = SYSTEM, **kwargs) -> None:
    """Receiver of `sellers.services.seller_created`: inside the seller's own transaction."""
    kb_seed_starter_articles(seller=seller, actor=actor)


def deflection_start(*, order: Order, situation: str, language: str,
                     now: datetime | None = None) -> tuple[Deflection, list]:
    """Record that the articles fitting `situation` are shown to the order's customer now;
    returns the record and the articles (in `language` where written)."""
    now = now or clock.now()
    shown = selectors.situation_articles(order.seller, situation, language)
    if not shown:
        raise Invalid(_("There are no help articles for this; write to us instead."),
                      {"situation": _("Choose another situation.")}, code="no_articles")
    with transaction.atomic():
        deflection = Deflection.objects.create(
            seller=order.seller, order=order, situation=situation, language=language,
            shown_at=now)
        deflection.articles.set([a.pk for a in shown])
    return deflection, shown


def deflection_answer(*, deflection: Deflection, solved: bool,
                      now: datetime | None = None) -> Deflection:
    """The customer's answer to "Did this solve it?". Analytics, not a business change:
    no audit row. A second answer replaces the first (the customer changed their mind)."""
    now = now or clock.now()
    with transaction.atomic():
        deflection = Deflection.objects.select_for_update().get(pk=deflection.pk)
        deflection.solved, deflection.answered_at = solved, now
        deflection.save(update_fields=["solved", "answered_at"])
    return deflection
