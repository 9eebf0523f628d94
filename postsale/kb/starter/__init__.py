"""The starter articles every seller gets (SPEC §6: "I did not receive the e-mail" and its
usual causes, access that does not work, content that does not load), in every language
of the product. The text is data: `articles.json` lists the articles and their tags, one
file per language holds title, body and checklist. The seller edits their copies freely;
seeding again adds only starter articles the seller never had."""

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
LANGUAGES = ("en", "pl", "it", "he", "uk")


@dataclass(frozen=True)
class StarterArticle:
    key: str
    slug: str
    position: int
    tags: tuple[str, ...]
    translations: dict  # language -> {"title", "body", "checklist"}


@cache
def starter_articles() -> tuple[StarterArticle, ...]:
    texts = {lang: json.loads((HERE / f"{lang}.json").read_text("utf-8")) for lang in LANGUAGES}
    return tuple(
        StarterArticle(key=a["key"], slug=a["slug"], position=a["position"],
                       tags=tuple(a["tags"]),
                       translations={lang: texts[lang][a["key"]] for lang in LANGUAGES})
        for a in json.loads((HERE / "articles.json").read_text("utf-8")))


def seed_starter_articles(seller_id: int, *, now: datetime, Article, ArticleTag,
                          ArticleTranslation) -> int:
    """Give one seller the starter articles it does not have yet, in three inserts. Takes
    the model classes so the data migration can pass its historical models. Returns how
    many articles were added."""
    existing = Article.objects.filter(seller_id=seller_id)
    have_keys = set(existing.exclude(starter_key="").values_list("starter_key", flat=True))
    taken_slugs = set(existing.values_list("slug", flat=True))
    missing = [s for s in starter_articles()
               if s.key not in have_keys and s.slug not in taken_slugs]
    if not missing:
        return 0
    articles = Article.objects.bulk_create([
        Article(seller_id=seller_id, slug=s.slug, position=s.position, starter_key=s.key,
                active=True, created_at=now, updated_at=now) for s in missing])
    if any(a.pk is None for a in articles):  # a backend that returns no ids
        articles = list(Article.objects.filter(
            seller_id=seller_id, starter_key__in=[s.key for s in missing]).order_by("id"))
    by_key = {a.starter_key: a for a in articles}
    ArticleTag.objects.bulk_create([
        ArticleTag(article=by_key[s.key], tag=tag) for s in missing for tag in s.tags])
    ArticleTranslation.objects.bulk_create([
        ArticleTranslation(article=by_key[s.key], language=lang, title=t["title"],
                           body=t["body"], checklist=list(t["checklist"]))
        for s in missing for lang, t in s.translations.items()])
    return len(missing)
