"""Rating the help from the customer's ticket page; agents see it on theirs."""

import pytest

from postsale.analytics.models import Rating
from postsale.orders.tests.factories import make_order
from postsale.tickets.models import Side
from postsale.tickets.services import ticket_close, ticket_reply
from postsale.tickets.tests.factories import AGENT, open_ticket

from .conftest import ticket_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(paid):
    ticket = open_ticket(paid, body="Where are my tickets?")
    ticket_reply(ticket=ticket, side=Side.SELLER, actor=AGENT, body="Sent them again.")
    return ticket_close(ticket=ticket, side=Side.SELLER, actor=AGENT)


def test_an_open_ticket_shows_no_rating_form(client, paid):
    ticket = open_ticket(paid)
    assert 'id="rating"' not in client.get(ticket_link(paid, ticket.number)).content.decode()


def test_the_customer_rates_a_closed_ticket(client, paid, closed):
    page = ticket_link(paid, closed.number)
    html = client.get(page).content.decode()
    assert "How well were you helped?" in html
    assert html.count('name="score"') == 5 and 'name="comment"' in html
    response = client.post(page + "rating/", {"score": "5", "comment": "Fast, thanks!"})
    assert response.status_code == 302 and response["Location"] == page + "#rating"
    rating = Rating.objects.get(ticket=closed)
    assert (rating.score, rating.comment) == (5, "Fast, thanks!")
    html = client.get(page).content.decode()
    assert "You rated the help 5 of 5." in html and "Change my rating" in html
    assert 'value="5" required checked' in html and "Fast, thanks!" in html


def test_a_rating_without_a_score_keeps_the_comment(client, paid, closed):
    response = client.post(ticket_link(paid, closed.number) + "rating/",
                           {"comment": "Took a while."})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose a score from 1 to 5." in html and "Took a while." in html
    assert not Rating.objects.exists()


@pytest.mark.parametrize("score", ["0", "6", "five", ""])
def test_bad_scores_are_refused(client, paid, closed, score):
    response = client.post(ticket_link(paid, closed.number) + "rating/", {"score": score})
    assert response.status_code == 422 and not Rating.objects.exists()


def test_a_ticket_of_another_order_cannot_be_rated_through_this_link(client, paid, seller,
                                                                     closed):
    other = make_order(seller, paid=True)
    response = client.post(ticket_link(other, closed.number) + "rating/", {"score": "1"})
    assert response.status_code == 404 and not Rating.objects.exists()


def test_an_open_ticket_cannot_be_rated_by_posting(client, paid):
    ticket = open_ticket(paid)
    response = client.post(ticket_link(paid, ticket.number) + "rating/", {"score": "3"})
    assert response.status_code == 409
    assert "once the ticket is closed" in response.content.decode()
