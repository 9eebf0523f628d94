"""The search box (orders.search): what a query is taken for, each kind found on its own,
what matched, filters, and one seller never finding another's orders."""

import dataclasses
from datetime import timedelta

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postsale.core.audit import SYSTEM
from postsale.orders.drafts import CustomerDraft
from postsale.orders.models import Customer, Order, SurnameKey
from postsale.orders.search import Kind, phone_readings, read_term, search_orders
from postsale.orders.tests.factories import make_product, order_draft
from postsale.payments.services import order_submit
from postsale.sellers.tests.factories import make_seller

pytestmark = pytest.mark.django_db


def place(seller, product, *, email, first="Anna", last="Kowalska", phone="", answers=None,
          paid=False, external_id=None) -> Order:
    draft = dataclasses.replace(
        order_draft(product, paid=paid, email=email, external_id=external_id),
        customer=CustomerDraft(email=email, first_name=first, last_name=last, phone=phone),
        answers=answers or {})
    order, _ = order_submit(seller=seller, draft=draft, actor=SYSTEM, source="test")
    return order


def found(seller, q, **kwargs) -> dict[str, list[tuple[str, str, bool]]]:
    result = search_orders(seller=seller, q=q, **kwargs)
    return {hit.order.number: [(m.kind.value, m.value, m.similar) for m in hit.matches]
            for hit in result.hits}


@pytest.fixture
def seller():
    return make_seller(slug="search-shop", country="PL")


@pytest.fixture
def product(seller):
    return make_product(seller)


@pytest.fixture
def orders(seller, product):
    return {
        "anna": place(seller, product, email="Anna.Kowalska@Example.com", last="Kowalska",
                      phone="+48 601 234 567", answers={"Car plate": "KR 12345"}, paid=True,
                      external_id="shop-1001"),
        "lech": place(seller, product, email="lech@example.com", first="Lech",
                      last="Łęcki", phone="+380 50 123 4567"),
        "marek": place(seller, product, email="marek@example.com", first="Marek",
                       last="Kowalski", phone="601 999 888"),
    }


# What a query is taken for.

@pytest.mark.parametrize("q, kinds", [
    ("PID-ABCD1234", ["order_number"]),
    ("pid abcd1234", ["order_number"]),
    (" tid-x7k2m9q4p1 ", ["entry_number"]),
    ("Anna@Example.com", ["email"]),
    ("+48 601 234 567", ["phone", "answer"]),
    ("601234567", ["phone", "payment_id", "external_id", "answer"]),
    ("pi_3Nc8x2Lk", ["payment_id", "external_id", "answer"]),
    ("Kowalska", ["payment_id", "external_id", "answer", "surname"]),
    ("Anna Kowalska", ["answer", "surname"]),
    ("", []),
    ("abc\x00", []),
])
def test_a_query_is_taken_for_every_kind_it_can_be(q, kinds):
    assert [k.value for k in read_term(q, country="PL").kinds] == kinds


@pytest.mark.parametrize("typed", ["+48 601 234 567", "0048 601-234-567", "601 234 567",
                                   "(601) 234 567", "48601234567", "+48601234567"])
def test_a_phone_is_read_in_any_format_of_the_sellers_country(typed):
    assert "+48601234567" in phone_readings(typed, country="PL")


@settings(max_examples=60, deadline=None)
@given(national=st.from_regex(r"[5-8][0-9]{8}", fullmatch=True),
       separators=st.lists(st.sampled_from(["", " ", "-", "."]), min_size=8, max_size=8),
       international=st.booleans())
def test_any_spacing_of_a_number_reads_as_its_e164(national, separators, international):
    typed = national[0] + "".join(s + d for s, d in zip(separators, national[1:], strict=True))
    if international:
        typed = "+48 " + typed
    number = phonenumbers.parse("+48" + national)
    if not phonenumbers.is_possible_number(number):
        return
    assert phone_readings(typed, country="PL")[0] == "+48" + national


# Each kind.

def test_order_and_entry_numbers_in_any_case(seller, orders):
    anna = orders["anna"]
    assert found(seller, anna.number.lower()) == {
        anna.number: [("order_number", anna.number, False)]}
    entry = anna.entries.first()
    assert found(seller, f"  {entry.number.lower()}") == {
        anna.number: [("entry_number", entry.number, False)]}


def test_email_in_any_case_and_the_customers_first_address(seller, orders):
    anna = orders["anna"]
    assert list(found(seller, "anna.kowalska@example.COM")) == [anna.number]
    Order.objects.filter(pk=anna.pk).update(email="anna.new@example.com")
    assert found(seller, "ANNA.KOWALSKA@example.com")[anna.number][0][0] == "email"
    assert list(found(seller, "anna.new@example.com")) == [anna.number]


@pytest.mark.parametrize("typed", ["+48 601 234 567", "0048601234567", "601-234-567",
                                   "48 601 234 567"])
def test_phone_typed_with_spaces_or_prefix_finds_the_order(seller, orders, typed):
    assert found(seller, typed) == {
        orders["anna"].number: [("phone", "+48 601 234 567", False)]}


def test_phone_of_another_country_needs_its_prefix(seller, orders):
    assert list(found(seller, "+380 50 123 45 67")) == [orders["lech"].number]
    assert list(found(seller, "380501234567")) == [orders["lech"].number]


def test_payment_id_and_channel_order_id(seller, orders):
    anna = orders["anna"]
    tx = anna.payments.get().provider_transaction_id
    assert found(seller, tx) == {anna.number: [("payment_id", tx, False)]}
    assert found(seller, "shop-1001") == {anna.number: [("external_id", "shop-1001", False)]}


def test_checkout_answer_any_case_says_which_question(seller, orders):
    assert found(seller, "kr 12345") == {
        orders["anna"].number: [("answer", "Car plate: KR 12345", False)]}


def test_surname_ignores_case_and_accents(seller, orders):
    lech = orders["lech"].number
    assert found(seller, "LECKI") == {lech: [("surname", "Łęcki", False)]}
    assert list(found(seller, "łęcki")) == [lech]


def test_surname_prefix_from_three_letters(seller, orders):
    assert set(found(seller, "kowal")) == {orders["anna"].number, orders["marek"].number}
    assert found(seller, "ko") == {}


def test_surname_with_a_typo_is_found_as_similar(seller, orders):
    result = found(seller, "Kowalsky")
    assert result[orders["marek"].number] == [("surname", "Kowalski", True)]
    assert result[orders["anna"].number] == [("surname", "Kowalska", True)]
    assert found(seller, "Zzyzx") == {}


def test_first_name_and_surname_in_either_order(seller, orders):
    assert list(found(seller, "Marek Kowalski")) == [orders["marek"].number]
    assert list(found(seller, "kowalski marek")) == [orders["marek"].number]
    assert list(found(seller, "Anna Kowal")) == [orders["anna"].number]


def test_surname_change_updates_its_key(seller, orders):
    customer = orders["marek"].customer
    customer.last_name = "Wiśniewski"
    customer.save(update_fields=["last_name"])
    assert Customer.objects.get(pk=customer.pk).name_key == "wisniewski"
    assert SurnameKey.objects.filter(seller=seller, key="wisniewski").exists()
    assert list(found(seller, "wisniewski")) == [orders["marek"].number]


# Together.

def test_exact_kinds_come_first_then_newest_first(seller, orders, product):
    newer = place(seller, product, email="z@example.com", last="Kowalska")
    company = place(seller, product, email="c@example.com", last="Nowak",
                    answers={"Company": "Kowalska"})
    Order.objects.filter(pk=company.pk).update(created_at=orders["anna"].created_at
                                               - timedelta(days=1))
    assert list(found(seller, "kowalska")) == [company.number, newer.number,
                                               orders["anna"].number]
    # The match says which question was answered so.
    assert found(seller, "kowalska")[company.number] == [
        ("answer", "Company: Kowalska", False)]


def test_filters_narrow_the_search(seller, orders):
    paid_only = Order.objects.filter(seller=seller, status="paid")
    assert list(found(seller, "kowal", orders=paid_only)) == [orders["anna"].number]


def test_limit_says_there_is_more(seller, orders):
    result = search_orders(seller=seller, q="kowal", limit=1)
    assert len(result.hits) == 1 and result.more


def test_another_sellers_orders_are_never_found(seller, orders):
    other = make_seller(slug="other-shop")
    theirs = place(other, make_product(other), email="anna.kowalska@example.com",
                   phone="+48 601 234 567", answers={"Car plate": "KR 12345"})
    for q in ("anna.kowalska@example.com", "601 234 567", "kr 12345", "kowalska",
              "kowalsky", orders["anna"].number):
        assert theirs.number not in found(seller, q)
        assert orders["anna"].number not in found(other, q)
    # A queryset of another seller's orders does not widen the search either.
    assert found(other, "marek@example.com",
                 orders=Order.objects.filter(seller=seller)) == {}


def test_nothing_typed_or_nonsense_finds_nothing(seller, orders):
    assert found(seller, "   ") == {}
    assert found(seller, "x" * 500) == {}
    assert found(seller, "?%_*") == {}
    assert search_orders(seller=seller, q="").term.kinds == ()
    assert Kind.SURNAME in read_term("Müller", country="PL").kinds
