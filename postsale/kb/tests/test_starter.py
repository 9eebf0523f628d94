"""The starter articles: complete in every language, given to every new seller (and to
sellers that existed before, by the data migration), never overwriting a seller's
edits."""

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from postsale.core.models import AuditEvent
from postsale.kb.models import Article, ArticleTranslation
from postsale.kb.placeholders import unknown_in
from postsale.kb.selectors import available_situations, situation_articles
from postsale.kb.services import (
    ArticleDraft,
    TranslationDraft,
    article_update,
    kb_seed_starter_articles,
)
from postsale.kb.situations import SITUATIONS
from postsale.kb.starter import LANGUAGES, starter_articles
from postsale.kb.tests.factories import EDITOR
from postsale.sellers.models import Seller

SEED_SITUATIONS = {"wrong-address", "spam-and-other-folders", "search-by-sender",
                   "forwarding-and-filters", "company-mailbox", "another-address",
                   "access-details", "content-not-loading"}


def test_every_starter_article_is_written_in_all_five_languages_with_a_checklist():
    articles = starter_articles()
    assert {a.key for a in articles} == SEED_SITUATIONS
    assert LANGUAGES == ("en", "pl", "it", "he", "uk")
    for article in articles:
        assert set(article.tags) & set(SITUATIONS), article.key
        for language in LANGUAGES:
            text = article.translations[language]
            assert text["title"].strip() and len(text["title"]) <= 200, (article.key, language)
            assert len(text["body"]) > 80, (article.key, language)
            assert len(text["checklist"]) >= 3, (article.key, language)
            for part in (text["title"], text["body"], *text["checklist"]):
                assert unknown_in(part) == [], (article.key, language, part)
        # The same placeholders in every language: a translation forgets none.
        used = {lang: sorted(set(re.findall(
            r"\{[a-z_]+\}", str(article.translations[lang])))) for lang in LANGUAGES}
        assert len({tuple(v) for v in used.values()}) == 1, (article.key, used)


def test_translations_are_really_translated():
    """Not English copied into the other files: every language's text differs, and
    Hebrew and Ukrainian are in their own scripts."""
    for article in starter_articles():
        bodies = {lang: article.translations[lang]["body"] for lang in LANGUAGES}
        assert len(set(bodies.values())) == len(LANGUAGES), article.key
        assert any("\u0590" <= ch <= "\u05ff" for ch in bodies["he"]), article.key
        assert any("\u0400" <= ch <= "\u04ff" for ch in bodies["uk"]), article.key


def test_a_new_seller_starts_with_the_starter_articles_for_every_situation(seller):
    articles = Article.objects.filter(seller=seller)
    assert set(articles.values_list("starter_key", flat=True)) == SEED_SITUATIONS
    assert ArticleTranslation.objects.filter(article__seller=seller).count() == 8 * 5
    assert [tag for tag, _ in available_situations(seller)] == list(SITUATIONS)
    email = situation_articles(seller, "email-not-received", "pl")
    assert [a.slug for a in email] == [
        "check-the-email-address", "spam-and-other-folders", "search-by-the-senders-name",
        "forwarding-and-filters", "strict-company-mailboxes", "use-another-address"]
    assert all(a.language == "pl" for a in email)
    assert AuditEvent.objects.filter(seller=seller, action="kb.starter_articles_added").exists()


def test_seeding_again_adds_nothing_and_keeps_the_sellers_edits(seller):
    article = Article.objects.get(seller=seller, starter_key="spam-and-other-folders")
    article_update(article=article, actor=EDITOR, draft=ArticleDraft(
        slug="spam", tags=("email-not-received",), position=5, active=False,
        translations={"en": TranslationDraft(title="Our own words", body="Look in spam.")}))
    assert kb_seed_starter_articles(seller=seller) == 0
    article.refresh_from_db()
    assert (article.slug, article.active, article.position) == ("spam", False, 5)
    assert list(article.translations.values_list("language", "title")) == [
        ("en", "Our own words")]
    assert Article.objects.filter(seller=seller).count() == 8


def test_a_deleted_starter_article_comes_back_only_when_seeded_again(seller):
    Article.objects.filter(seller=seller, starter_key="access-details").delete()
    assert kb_seed_starter_articles(seller=seller) == 1
    assert Article.objects.filter(seller=seller, starter_key="access-details").exists()


def test_the_data_migration_gives_existing_sellers_the_starter_articles(seller, other_seller):
    Article.objects.all().delete()  # as before the knowledge base existed
    migration = importlib.import_module("postsale.kb.migrations.0002_starter_articles")
    migration.seed(apps, None)
    for s in (seller, other_seller):
        assert Article.objects.filter(seller=s).count() == 8
    migration.seed(apps, None)  # twice changes nothing
    assert Article.objects.count() == 16


def test_a_seller_added_in_the_platform_admin_gets_them_too(client, db):
    operator = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(operator)
    response = client.post(reverse("admin:sellers_seller_add"), {
        "slug": "newco", "name": "New Co", "time_zone": "Europe/Rome", "country": "IT",
        "language": "it", "currency": "EUR", "account_email": "office@newco.example",
        "customer_refund_days": 60, "seller_refund_days": 90,
        "late_payment_policy": "activate", "weekend_days": "[]",
        **{f"{p}-TOTAL_FORMS": 0 for p in ("members", "channels", "closure_days")},
        **{f"{p}-INITIAL_FORMS": 0 for p in ("members", "channels", "closure_days")},
    })
    assert response.status_code == 302, response.text[:2000]
    newco = Seller.objects.get(slug="newco")
    assert Article.objects.filter(seller=newco).count() == 8


@pytest.mark.parametrize("language", LANGUAGES)
def test_starter_articles_fill_in_each_language(seller, language):
    shown = situation_articles(seller, "access-not-working", language)
    assert len(shown) == 1 and shown[0].language == language
