"""Writing articles: translations and tags replaced as a whole, every mistake named on its
field with nothing saved, one seller's short names independent of another's."""

import pytest

from postsale.core.errors import Invalid
from postsale.core.models import AuditEvent
from postsale.kb.models import Article
from postsale.kb.services import (
    ArticleDraft,
    TranslationDraft,
    article_create,
    article_set_active,
    article_update,
)
from postsale.kb.tests.factories import EDITOR, make_article


def draft(**kwargs) -> ArticleDraft:
    kwargs.setdefault("slug", "parking")
    kwargs.setdefault("translations", {"en": TranslationDraft(
        title="Parking", body="Park behind the museum.", checklist=("Take a ticket",))})
    return ArticleDraft(**kwargs)


def test_create_stores_translations_tags_and_an_audit_row(seller):
    article = article_create(seller=seller, actor=EDITOR, draft=draft(
        slug=" Parking ".lower(), tags=("Directions", "parking", "parking"), position=3,
        translations={
            "en": TranslationDraft(title=" Parking ", body="Park behind the museum.",
                                   checklist=(" Take a ticket ", "", "Pay at the exit")),
            "pl": TranslationDraft(title="Parking", body="Parking jest za muzeum."),
            "it": TranslationDraft()}))  # left empty: not stored
    assert (article.slug, article.position, article.active) == ("parking", 3, True)
    assert sorted(article.tags.values_list("tag", flat=True)) == ["directions", "parking"]
    en = article.translations.get(language="en")
    assert (en.title, en.checklist) == ("Parking", ["Take a ticket", "Pay at the exit"])
    assert sorted(article.translations.values_list("language", flat=True)) == ["en", "pl"]
    event = AuditEvent.objects.get(action="article.created")
    assert event.data == {"slug": "parking", "languages": ["en", "pl"]}


@pytest.mark.parametrize(("bad", "field"), [
    ({"slug": "Not a slug!"}, "slug"),
    ({"slug": ""}, "slug"),
    ({"tags": ("two words",)}, "tags"),
    ({"position": -1}, "position"),
    ({"translations": {}}, "translations"),
    ({"translations": {"en": TranslationDraft(title="", body="Text without a title")}},
     "translations.en.title"),
    ({"translations": {"pl": TranslationDraft(title="Only a title")}}, "translations.pl.body"),
    ({"translations": {"xx": TranslationDraft(title="T", body="B")}}, "translations.xx"),
    ({"translations": {"en": TranslationDraft(title="T", checklist=("step",) * 31)}},
     "translations.en.checklist"),
    ({"translations": {"en": TranslationDraft(title="T" * 201, body="B")}},
     "translations.en.title"),
])
def test_mistakes_are_named_on_their_field_and_nothing_is_saved(seller, bad, field):
    before = Article.objects.count()
    with pytest.raises(Invalid) as caught:
        article_create(seller=seller, actor=EDITOR, draft=draft(**bad))
    assert field in caught.value.field_errors, caught.value.field_errors
    assert Article.objects.count() == before


def test_short_names_are_unique_per_seller_only(seller, other_seller):
    make_article(seller, slug="parking", en=("Parking", "Behind the museum."))
    with pytest.raises(Invalid) as caught:
        article_create(seller=seller, actor=EDITOR, draft=draft())
    assert "slug" in caught.value.field_errors
    assert article_create(seller=other_seller, actor=EDITOR, draft=draft()).slug == "parking"


def test_update_replaces_translations_and_tags(seller):
    article = make_article(seller, slug="parking", tags=["directions"],
                           en=("Parking", "Behind the museum."), pl=("Parking", "Za muzeum."))
    article_update(article=article, actor=EDITOR, draft=draft(
        slug="car-park", tags=("parking",), position=7, active=False,
        translations={"en": TranslationDraft(title="Car park", body="Level -1."),
                      "pl": TranslationDraft()}))  # emptied: removed
    article.refresh_from_db()
    assert (article.slug, article.position, article.active) == ("car-park", 7, False)
    assert list(article.tags.values_list("tag", flat=True)) == ["parking"]
    assert list(article.translations.values_list("language", "title", "body")) == [
        ("en", "Car park", "Level -1.")]
    assert AuditEvent.objects.filter(action="article.updated",
                                     subject=f"article:{article.pk}").exists()


def test_update_may_keep_its_own_short_name_but_not_take_anothers(seller):
    make_article(seller, slug="taken", en=("Taken", "Text."))
    article = make_article(seller, slug="mine", en=("Mine", "Text."))
    article_update(article=article, actor=EDITOR, draft=draft(slug="mine"))
    with pytest.raises(Invalid):
        article_update(article=article, actor=EDITOR, draft=draft(slug="taken"))
    article.refresh_from_db()
    assert article.slug == "mine"


def test_deactivating_and_activating_is_audited_once_each(seller):
    article = make_article(seller, slug="parking", en=("Parking", "Behind the museum."))
    article_set_active(article=article, active=False, actor=EDITOR)
    article_set_active(article=article, active=False, actor=EDITOR)  # no change, no row
    article_set_active(article=article, active=True, actor=EDITOR)
    article.refresh_from_db()
    assert article.active
    actions = list(AuditEvent.objects.filter(subject=f"article:{article.pk}")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["article.created", "article.deactivated", "article.activated"]
