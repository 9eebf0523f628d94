"""Troubleshooting before a support ticket: the customer picks what is wrong, reads the
articles that fit in their language, and answers "Did this solve it?" — yes is recorded
and ends there with no ticket; no is recorded and leads to the support form with what
they typed. With htmx in the page; without JavaScript on a page of its own."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from postsale.kb.models import Article, Deflection
from postsale.orders.links import order_token
from postsale.orders.tests.factories import make_order
from postsale.tickets.models import Ticket

from .conftest import order_link

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def help_url(order) -> str:
    return reverse("portal:troubleshoot", args=[order_token(order)])


def answer_url(order, deflection) -> str:
    return reverse("portal:troubleshoot_answer", args=[order_token(order), deflection.pk])


def slugs(html: str) -> list[str]:
    return re.findall(r'<li class="article" data-article="([^"]+)"', html)


def test_the_order_page_offers_the_situations_the_seller_has_articles_for(client, seller,
                                                                          paid):
    Article.objects.filter(seller=seller, starter_key="content-not-loading").update(
        active=False)
    html = client.get(order_link(paid)).text
    fieldset = html.split('class="fieldset help-situations"')[1].split("</fieldset>")[0]
    assert re.findall(r'name="situation" value="([^"]+)"', fieldset) == [
        "email-not-received", "access-not-working"]
    assert f'formaction="{help_url(paid)}"' in fieldset and 'hx-post=' in fieldset


def test_picking_a_situation_shows_its_articles_filled_in_and_records_it(client, seller,
                                                                         paid):
    response = client.post(help_url(paid), {"situation": "email-not-received",
                                            "subject": "", "body": "Nothing came"})
    assert response.status_code == 200
    html = response.text
    assert slugs(html) == ["check-the-email-address", "spam-and-other-folders",
                           "search-by-the-senders-name", "forwarding-and-filters",
                           "strict-company-mailboxes", "use-another-address"]
    assert "<bdi>anna.kowalska@example.com</bdi>" in html  # {order_email}, filled
    assert "{order_email}" not in html and "{seller_name}" not in html
    assert "Did this solve it?" in html
    assert 'name="body" value="Nothing came"' in html  # carried along, not lost
    deflection = Deflection.objects.get()
    assert (deflection.order, deflection.situation, deflection.language, deflection.solved) \
        == (paid, "email-not-received", "en", None)
    assert deflection.articles.count() == 6
    assert not Ticket.objects.exists()


def test_the_articles_come_in_the_customers_language(client, seller, paid):
    paid.language = "uk"
    paid.save(update_fields=["language"])
    html = client.post(help_url(paid), {"situation": "access-not-working"}).text
    assert "Дані для доступу не працюють" in html
    client.cookies["django_language"] = "he"  # the visitor switched to Hebrew
    html = client.post(help_url(paid), {"situation": "access-not-working"}).text
    assert "פרטי הגישה לא עובדים" in html and 'dir="rtl"' in html
    assert list(Deflection.objects.order_by("id").values_list("language", flat=True)) == [
        "uk", "he"]


def test_yes_records_it_solved_and_ends_without_a_ticket(client, paid):
    client.post(help_url(paid), {"situation": "email-not-received"})
    deflection = Deflection.objects.get()
    response = client.post(answer_url(paid, deflection), {"solved": "yes", "body": "x"})
    assert response.status_code == 200
    assert "Great, we are glad it is sorted!" in response.text
    assert "nothing was sent" in response.text
    deflection.refresh_from_db()
    assert deflection.solved is True and deflection.answered_at is not None
    assert not Ticket.objects.exists()


def test_no_records_it_and_returns_to_the_support_form_with_what_was_typed(client, paid):
    client.post(help_url(paid), {"situation": "access-not-working",
                                 "subject": "", "body": "The code says invalid."})
    deflection = Deflection.objects.get()
    response = client.post(answer_url(paid, deflection), {
        "solved": "no", "subject": "", "body": "The code says invalid."})
    assert response.status_code == 200
    html = response.text
    assert "Sorry that did not help." in html
    assert "The code says invalid.</textarea>" in html
    assert 'value="My access details do not work"' in html  # the subject, from the situation
    assert re.search(r'<input type="radio" name="type" value="support" checked', html)
    deflection.refresh_from_db()
    assert deflection.solved is False
    assert not Ticket.objects.exists()  # the customer sends it themselves


def test_with_htmx_it_all_happens_inside_the_order_page(client, paid):
    shown = client.post(help_url(paid), {"situation": "content-not-loading"}, headers=HTMX)
    assert "<html" not in shown.text and slugs(shown.text) == ["content-does-not-load"]
    assert "<form" not in shown.text  # it sits inside the open-ticket form
    deflection = Deflection.objects.get()
    assert f'hx-post="{answer_url(paid, deflection)}"' in shown.text
    yes = client.post(answer_url(paid, deflection), {"solved": "yes"}, headers=HTMX)
    assert "<html" not in yes.text and "glad it is sorted" in yes.text
    no = client.post(answer_url(paid, deflection), {"solved": "no"}, headers=HTMX)
    assert "<html" not in no.text and "Sorry that did not help." in no.text
    deflection.refresh_from_db()
    assert deflection.solved is False  # the last answer counts


def test_files_cannot_travel_through_the_page_and_it_says_so(client, paid):
    html = client.post(help_url(paid), {
        "situation": "email-not-received",
        "attachments": [SimpleUploadedFile("a.txt", b"hi", "text/plain")]}).text
    assert "The files you chose were not kept" in html


@pytest.mark.parametrize("situation", ["", "made-up", "content-not-loading"])
def test_a_situation_without_articles_goes_back_to_the_form(client, seller, paid, situation):
    Article.objects.filter(seller=seller, starter_key="content-not-loading").update(
        active=False)
    response = client.post(help_url(paid), {"situation": situation, "body": "Help!"})
    assert response.status_code == 422
    assert "There are no help articles for this; write to us instead." in response.text
    assert "Help!</textarea>" in response.text
    htmx = client.post(help_url(paid), {"situation": situation}, headers=HTMX)
    assert htmx.status_code == 200 and 'role="alert"' in htmx.text
    assert not Deflection.objects.exists()


def test_another_orders_record_and_bad_answers_are_not_found(client, seller, paid):
    other = make_order(seller, email="other@example.com")
    client.post(help_url(other), {"situation": "email-not-received"})
    theirs = Deflection.objects.get()
    response = client.post(answer_url(paid, theirs), {"solved": "yes"})
    assert response.status_code == 404
    client.post(help_url(paid), {"situation": "email-not-received"})
    mine = Deflection.objects.get(order=paid)
    assert client.post(answer_url(paid, mine), {"solved": "maybe"}).status_code == 404
    assert client.get(answer_url(paid, mine)).status_code == 405
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.solved is None and mine.solved is None


def test_a_bad_link_shows_nothing(client, paid):
    url = reverse("portal:troubleshoot", args=[order_token(paid) + "x"])
    response = client.post(url, {"situation": "email-not-received"})
    assert response.status_code == 404 and "data-article" not in response.text
    assert not Deflection.objects.exists()
