from django.conf import settings
from django.urls import reverse

from postsale.orders.tests.factories import make_order


def test_hebrew_pages_are_right_to_left(agent_client, seller):
    order = make_order(seller)
    agent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "he"
    for url in (reverse("backoffice:orders"), reverse("backoffice:order", args=[order.number])):
        text = agent_client.get(url).text
        assert '<html lang="he" dir="rtl">' in text


def test_other_languages_are_left_to_right(agent_client, seller, client):
    for code in ("en", "pl", "it", "uk"):
        agent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        text = agent_client.get(reverse("backoffice:orders")).text
        assert f'<html lang="{code}" dir="ltr">' in text
    assert 'dir="ltr"' in client.get(reverse("backoffice:login")).text


def test_language_switcher_sets_the_language_and_returns(agent_client, seller):
    orders = reverse("backoffice:orders")
    page = agent_client.get(orders)
    assert 'action="/i18n/setlang/"' in page.text and 'value="he"' in page.text
    response = agent_client.post("/i18n/setlang/", {"language": "he", "next": orders})
    assert response.status_code == 302 and response["Location"] == orders
    assert 'dir="rtl"' in agent_client.get(orders).text


def test_login_page_follows_the_browser_language(client, db):
    response = client.get(reverse("backoffice:login"), headers={"Accept-Language": "he"})
    assert '<html lang="he" dir="rtl">' in response.text
