"""Exchanging an entry from the order page: who may, the slots offered with the places
left, the quote with its reasons, one exchange per confirmation."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from postsale.core.models import AuditEvent
from postsale.orders.models import Entry, EntryStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments.models import Exchange, ExchangeStatus
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member


def order_url(order) -> str:
    return reverse("backoffice:order", args=[order.number])


def exchange_url(entry) -> str:
    return reverse("backoffice:entry_exchange", args=[entry.order.number, entry.number])


def section(html: str, title: str) -> str:
    match = re.search(rf"<h2[^>]*>{re.escape(title)}</h2>(.*?)</section>", html, re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


@pytest.fixture
def tour(seller):
    """A timed product at 25.00 PLN with a 3.00 PLN exchange fee for customers: the booked
    slot (in 7 days), a free one (8 days), a full one (9 days) and a past one."""
    product = make_product(seller, sku="tour", name="City tour", price=2500,
                           kind=ProductKind.TIMED_ENTRY, exchange_fee=300)
    booked = make_slot(product)
    free = make_slot(product, capacity=3, starts_in=timedelta(days=8))
    full = make_slot(product, capacity=1, starts_in=timedelta(days=9))
    past = make_slot(product, starts_in=timedelta(days=-1))
    make_order(seller, product, slot=full, quantity=1, paid=True)
    return product, booked, free, full, past


@pytest.fixture
def entry(seller, tour):
    order = make_order(seller, tour[0], slot=tour[1], quantity=1, paid=True)
    return order.entries.get()


class TestWhoMayExchange:
    @pytest.mark.parametrize("role", [Role.OWNER, Role.AGENT])
    def test_owners_and_agents_may(self, seller, entry, tour, client_for, role):
        client = client_for(make_member(seller, role=role).user)
        assert client.get(exchange_url(entry)).status_code == 200
        assert client.get(exchange_url(entry), {"time_slot": tour[2].pk}).status_code == 200
        assert client.post(exchange_url(entry), {"time_slot": tour[2].pk}).status_code == 302
        assert Exchange.objects.count() == 1

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.DOOR])
    def test_viewers_and_door_staff_may_not(self, seller, entry, tour, client_for, role):
        client = client_for(make_member(seller, role=role).user)
        assert client.get(exchange_url(entry)).status_code == 403
        assert client.post(exchange_url(entry), {"time_slot": tour[2].pk}).status_code == 403
        assert not Exchange.objects.exists()
        page = client.get(order_url(entry.order)).text
        assert "Exchange…" not in page

    def test_another_sellers_order_and_unknown_entries_are_404(self, agent_client, entry,
                                                              other_seller, tour):
        product = make_product(other_seller, kind=ProductKind.TIMED_ENTRY)
        theirs = make_order(other_seller, product, slot=make_slot(product), quantity=1,
                            paid=True).entries.get()
        assert agent_client.get(exchange_url(theirs)).status_code == 404
        assert agent_client.post(exchange_url(theirs),
                                 {"time_slot": tour[2].pk}).status_code == 404
        unknown = reverse("backoffice:entry_exchange", args=[entry.order.number, "TID-NOPE"])
        assert agent_client.get(unknown).status_code == 404
        assert not Exchange.objects.exists()


class TestChooseQuoteConfirm:
    def test_the_order_page_offers_exchange_for_valid_timed_entries(self, agent_client,
                                                                    entry):
        entries = section(agent_client.get(order_url(entry.order)).text, "Entries")
        assert f'href="{exchange_url(entry)}"' in entries

    def test_upcoming_slots_are_listed_with_places_left(self, agent_client, entry, tour):
        _, booked, free, full, past = tour
        page = agent_client.get(exchange_url(entry)).text
        assert f'value="{free.pk}"' in page and "3 places left" in page
        assert re.search(rf'value="{full.pk}" disabled', page) and "Full" in page
        assert f'value="{past.pk}"' not in page and f'value="{booked.pk}"' not in page
        assert "Confirm exchange" not in page

    def test_the_quote_shows_the_difference_and_the_reasons(self, agent_client, entry, tour):
        free = tour[2]
        seller_terms = agent_client.get(exchange_url(entry), {"time_slot": free.pk}).text
        assert "The exchange is possible" in seller_terms
        assert "Nothing more to pay." in seller_terms
        customer_terms = agent_client.get(exchange_url(entry),
                                          {"time_slot": free.pk, "by": "customer"}).text
        quote = section(customer_terms, "The exchange is possible")
        assert "An exchange fee of 3.00 PLN applies." in quote
        assert "You pay 3.00 PLN more." in quote
        assert not Exchange.objects.exists()

    def test_a_full_slot_is_refused_with_the_reason(self, agent_client, entry, tour):
        page = agent_client.get(exchange_url(entry), {"time_slot": tour[3].pk}).text
        assert "The exchange is not possible" in page
        assert "This time is full. Choose another time." in page
        assert "Confirm exchange" not in page
        response = agent_client.post(exchange_url(entry), {"time_slot": tour[3].pk})
        assert response.status_code == 409
        assert "This time is full" in response.text
        assert not Exchange.objects.exists()

    def test_confirming_exchanges_once_and_the_order_page_shows_it(
            self, agent, agent_client, entry, tour):
        free = tour[2]
        response = agent_client.post(exchange_url(entry), {"time_slot": free.pk})
        assert response.status_code == 302
        assert response["Location"] == order_url(entry.order) + "#exchanges"
        exchange = Exchange.objects.get()
        assert exchange.status == ExchangeStatus.COMPLETED
        entry.refresh_from_db()
        assert entry.status == EntryStatus.VOID
        new = exchange.new_entry
        assert (new.status, new.time_slot_id) == (EntryStatus.VALID, free.pk)
        assert AuditEvent.objects.get(action="exchange.created").actor_user == agent

        page = agent_client.get(response["Location"]).text
        assert f"{entry.number} was exchanged for {new.number}." in page
        exchanges = section(page, "Exchanges")
        assert entry.number in exchanges and new.number in exchanges
        assert 'data-status="completed">Completed<' in exchanges
        assert new.number in section(page, "Entries")

    def test_a_double_click_makes_one_exchange(self, agent_client, entry, tour):
        first = agent_client.post(exchange_url(entry), {"time_slot": tour[2].pk})
        second = agent_client.post(exchange_url(entry), {"time_slot": tour[2].pk})
        assert first.status_code == second.status_code == 302
        assert Exchange.objects.count() == 1
        page = agent_client.get(order_url(entry.order)).text
        assert "This exchange was already made; the form was sent twice." in page

    def test_a_dearer_time_waits_for_the_payment_with_a_reference(self, agent_client,
                                                                 seller, tour):
        product = tour[0]
        product.exchange_group = "tours"
        product.save(update_fields=["exchange_group"])
        long = make_product(seller, sku="long", name="Long tour", price=4000,
                            kind=ProductKind.TIMED_ENTRY, exchange_group="tours")
        slot = make_slot(long, starts_in=timedelta(days=10))
        entry = make_order(seller, product, slot=tour[1], quantity=1,
                           paid=True).entries.get()
        choices = agent_client.get(exchange_url(entry)).text
        assert f'value="{slot.pk}"' in choices and "Long tour" in choices
        response = agent_client.post(exchange_url(entry), {"time_slot": slot.pk}, follow=True)
        exchange = Exchange.objects.get()
        assert exchange.status == ExchangeStatus.AWAITING_PAYMENT
        assert (f"The customer pays 15.00 PLN by bank transfer with the reference "
                f"{exchange.payment_transaction_id}") in response.text
        assert 'data-status="awaiting_payment">Awaiting payment<' in section(
            response.text, "Exchanges")

    def test_choosing_no_slot_says_so(self, agent_client, entry):
        response = agent_client.post(exchange_url(entry), {})
        assert response.status_code == 422 and "Choose a time slot." in response.text

    def test_a_slot_of_another_seller_is_refused(self, agent_client, entry, other_seller):
        theirs = make_slot(make_product(other_seller, kind=ProductKind.TIMED_ENTRY))
        page = agent_client.get(exchange_url(entry), {"time_slot": theirs.pk})
        assert page.status_code == 200 and "No time slot" in page.text
        assert agent_client.post(exchange_url(entry),
                                 {"time_slot": theirs.pk}).status_code == 404
        assert Entry.objects.filter(time_slot=theirs).count() == 0

    def test_the_quote_step_answers_htmx_with_the_quote_only(self, agent_client, entry,
                                                            tour):
        response = agent_client.get(exchange_url(entry), {"time_slot": tour[2].pk},
                                    headers={"HX-Request": "true"})
        assert "<html" not in response.text and "The exchange is possible" in response.text
        assert "HX-Request" in response["Vary"]
