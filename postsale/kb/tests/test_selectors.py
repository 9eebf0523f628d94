"""Reading articles: the reader's language first, then the seller's, then English, then
whatever is written; only active articles reach customers and canned replies; one
seller's articles never show for another."""

from postsale.kb.models import Article
from postsale.kb.selectors import (
    article_search,
    articles_for_seller,
    available_situations,
    deflection_counts,
    situation_articles,
)
from postsale.kb.services import deflection_answer, deflection_start
from postsale.kb.tests.factories import make_article
from postsale.orders.tests.factories import make_order
from postsale.sellers.tests.factories import make_seller


def test_language_falls_back_to_the_sellers_then_english_then_any(db):
    seller = make_seller(slug="warsaw", language="pl")
    Article.objects.filter(seller=seller).delete()
    make_article(seller, slug="all", tags=["access-not-working"],
                 en=("Hello", "English"), pl=("Cześć", "Polski"), he=("שלום", "עברית"))
    make_article(seller, slug="no-pl", tags=["access-not-working"], position=200,
                 en=("Hello", "English only"))
    make_article(seller, slug="uk-only", tags=["access-not-working"], position=300,
                 uk=("Привіт", "Українська"))
    def titles(language):
        return [(a.slug, a.language) for a in
                situation_articles(seller, "access-not-working", language)]

    assert titles("he") == [("all", "he"), ("no-pl", "en"), ("uk-only", "uk")]
    assert titles("it") == [("all", "pl"), ("no-pl", "en"), ("uk-only", "uk")]  # seller's


def test_customers_see_only_active_articles_of_the_situation_in_order(seller, other_seller):
    Article.objects.all().delete()
    make_article(seller, slug="second", tags=["content-not-loading"], position=20,
                 en=("Second", "Text"))
    make_article(seller, slug="first", tags=["content-not-loading"], position=10,
                 en=("First", "Text"))
    make_article(seller, slug="off", tags=["content-not-loading"], active=False,
                 en=("Off", "Text"))
    make_article(seller, slug="other-tag", tags=["parking"], en=("Other", "Text"))
    make_article(other_seller, slug="theirs", tags=["content-not-loading"], position=1,
                 en=("Theirs", "Text"))
    assert [a.slug for a in situation_articles(seller, "content-not-loading", "en")] == [
        "first", "second"]
    assert situation_articles(seller, "parking", "en") == []  # not a customer situation
    assert available_situations(seller) == [("content-not-loading", "The content does not load")]


def test_search_finds_titles_in_any_language_tags_and_short_names(seller, other_seller):
    make_article(seller, slug="parking", tags=["directions"], en=("Where to park", "Text"),
                 pl=("Gdzie zaparkować", "Tekst"))
    make_article(seller, slug="old-parking", active=False, en=("Parking (old)", "Text"))
    make_article(other_seller, slug="their-parking", en=("Parking", "Text"))

    def found(q, language="en"):
        return [a.slug for a in article_search(seller, q=q, language=language)]

    assert found("zaparkow") == ["parking"]  # the Polish title, shown in English
    assert found("directions") == ["parking"]
    assert found("PARK") == ["parking"]  # not the inactive one nor the other seller's
    assert [a.title for a in article_search(seller, q="park", language="pl")] == [
        "Gdzie zaparkować"]
    assert "spam-and-other-folders" in found("spam")  # the starter articles too
    assert articles_for_seller(seller, tag="directions").get().slug == "parking"


def test_deflection_counts_per_article(seller):
    order = make_order(seller)
    first, _ = deflection_start(order=order, situation="email-not-received", language="en")
    deflection_answer(deflection=first, solved=True)
    second, shown = deflection_start(order=order, situation="email-not-received",
                                     language="en")
    deflection_answer(deflection=second, solved=False)
    counts = deflection_counts(seller)
    assert {counts[a.pk] for a in shown} == {(2, 1)}
    access = Article.objects.get(seller=seller, starter_key="access-details")
    assert access.pk not in counts
