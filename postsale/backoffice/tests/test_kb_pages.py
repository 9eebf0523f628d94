"""Knowledge-base management: owners and agents write and edit articles with a
translation per language and situation tags, and deactivate them; viewers read; door
staff have no access; another seller's article is a 404."""

import pytest
from django.urls import reverse

from postsale.kb.models import Article
from postsale.kb.tests.factories import make_article
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member

LIST, NEW = reverse("backoffice:kb"), reverse("backoffice:kb_new")


def edit_url(article) -> str:
    return reverse("backoffice:kb_article", args=[article.pk])


@pytest.fixture
def viewer_client(seller, client_for):
    return client_for(make_member(seller, role=Role.VIEWER, username="vera").user)


def form_data(**overrides) -> dict:
    data = {"slug": "parking", "position": "5", "active": "on",
            "situations": ["access-not-working"], "other_tags": "Directions, car park",
            "title_en": "Where to park", "body_en": "Behind the museum, {seller_name}.",
            "checklist_en": "Take a ticket\n\nPay at the exit\n",
            "title_he": "איפה לחנות", "body_he": "מאחורי המוזיאון."}
    return data | overrides


def test_the_list_shows_the_starter_articles_with_languages_and_deflection(agent_client):
    response = agent_client.get(LIST)
    assert response.status_code == 200
    html = response.text
    assert html.count("<tr data-article=") == 8
    row = html.split('data-article="spam-and-other-folders"')[1].split("</tr>")[0]
    assert "Look in spam and other folders" in row and "en he it pl uk" in row
    assert "0 / 0" in row and "New article" in html
    assert 'aria-current="page">Knowledge base' in html
    filtered = agent_client.get(LIST, {"tag": "access-not-working"}).text
    assert filtered.count("<tr data-article=") == 1


def test_an_agent_writes_an_article_in_two_languages(agent_client, seller):
    response = agent_client.post(NEW, form_data())
    article = Article.objects.get(seller=seller, slug="parking")
    assert response.status_code == 302 and response["Location"] == edit_url(article)
    assert sorted(article.tags.values_list("tag", flat=True)) == [
        "access-not-working", "car-park", "directions"]
    assert sorted(article.translations.values_list("language", flat=True)) == ["en", "he"]
    assert article.translations.get(language="en").checklist == ["Take a ticket",
                                                                 "Pay at the exit"]
    page = agent_client.get(edit_url(article)).text
    assert "Where to park" in page and "{order_link}" in page  # the placeholder list
    assert '<details class="card kb-language" id="lang-he" open>' in page
    assert '<details class="card kb-language" id="lang-pl">' in page  # empty: closed


def test_mistakes_come_back_on_their_fields_with_what_was_typed(agent_client, seller):
    make_article(seller, slug="taken", en=("Taken", "Text"))
    before = Article.objects.count()
    response = agent_client.post(NEW, form_data(slug="taken", title_he="", body_pl="Bez tytułu",
                                                 body_en="See {oder_number}"))
    assert response.status_code == 422
    html = response.text
    assert "Another article already has this short name." in html
    assert "Give this language a title, or leave it all empty." in html
    assert "Bez tytułu" in html and "מאחורי המוזיאון." in html  # kept
    assert "Not placeholders, so they stay as written: oder_number." in html
    assert Article.objects.count() == before
    nothing = agent_client.post(NEW, {"slug": "empty", "position": "1"})
    assert nothing.status_code == 422
    assert "Write the article in at least one language." in nothing.text


def test_editing_replaces_the_text_and_deactivating_hides_it(agent_client, seller):
    article = make_article(seller, slug="parking", tags=["directions"],
                           en=("Parking", "Behind."), pl=("Parking", "Za muzeum."))
    response = agent_client.post(edit_url(article), form_data(title_he="", body_he="",
                                                              title_en="Car park"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert sorted(article.translations.values_list("language", "title")) == [
        ("en", "Car park")]
    off = agent_client.post(reverse("backoffice:kb_article_active", args=[article.pk]),
                            {"active": "0"}, follow=True)
    assert "is deactivated" in off.text and "Activate again" in off.text
    article.refresh_from_db()
    assert not article.active
    agent_client.post(reverse("backoffice:kb_article_active", args=[article.pk]),
                      {"active": "1"})
    article.refresh_from_db()
    assert article.active


def test_viewers_read_but_cannot_change(viewer_client, seller):
    article = Article.objects.filter(seller=seller).first()
    assert "New article" not in viewer_client.get(LIST).text
    page = viewer_client.get(edit_url(article)).text
    assert "<fieldset class=\"card stack\" disabled>" in page and "Save article" not in page
    assert "Deactivate" not in page
    assert viewer_client.post(edit_url(article), form_data()).status_code == 403
    assert viewer_client.get(NEW).status_code == 403
    assert viewer_client.post(reverse("backoffice:kb_article_active", args=[article.pk]),
                              {"active": "0"}).status_code == 403
    article.refresh_from_db()
    assert article.active and article.slug != "parking"


def test_door_staff_have_no_access_and_other_sellers_articles_are_404(
        agent_client, seller, other_seller, client_for):
    door = client_for(make_member(seller, role=Role.DOOR, username="dora").user)
    assert door.get(LIST).status_code == 403
    assert reverse("backoffice:kb") not in door.get(reverse("backoffice:orders")).text
    theirs = Article.objects.filter(seller=other_seller).first()
    assert agent_client.get(edit_url(theirs)).status_code == 404
    assert agent_client.post(edit_url(theirs), form_data()).status_code == 404
    assert agent_client.post(reverse("backoffice:kb_article_active", args=[theirs.pk]),
                             {"active": "0"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.active
