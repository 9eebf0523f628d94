import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from postsale.backoffice import views
from postsale.orders.models import Order, OrderStatus
from postsale.orders.tests.factories import make_order, make_product

ORDERS = reverse("backoffice:orders")


def at(order, when: datetime) -> Order:
    Order.objects.filter(pk=order.pk).update(created_at=when)
    order.refresh_from_db()
    return order


def numbers(response) -> list[str]:
    return re.findall(r"<bdi>(PID-[0-9A-Z]+)</bdi>", response.text)


def test_lists_the_sellers_orders_newest_first_with_readable_columns(
        agent_client, seller, other_seller):
    product = make_product(seller, price=12345)
    old = at(make_order(seller, product, quantity=1, email="old@example.com"),
             datetime(2026, 3, 10, 22, 30, tzinfo=UTC))
    new = at(make_order(seller, product, quantity=2, channel="box-office", paid=True),
             datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    make_order(other_seller)
    response = agent_client.get(ORDERS)
    assert response.status_code == 200
    assert numbers(response) == [new.number, old.number]
    text = response.text
    assert "2026-03-10 23:30" in text  # 22:30 UTC in Europe/Warsaw
    assert "Anna Kowalska" in text and "old@example.com" in text
    assert "Box office" in text and "Web shop" in text
    assert "123.45 PLN" in text and "246.90 PLN" in text
    assert 'class="badge badge--warn" data-status="awaiting_payment">Awaiting payment<' in text
    assert 'data-status="paid">Paid<' in text


@pytest.fixture
def three_orders(seller):
    product = make_product(seller)
    return {
        "paid": make_order(seller, product, paid=True, email="paid@example.com",
                           external_id="shop-77"),
        "box": make_order(seller, product, channel="box-office", email="box@example.com"),
        "web": make_order(seller, product, email="web@example.com"),
    }


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "paid"}, {"paid"}),
    ({"status": "awaiting_payment"}, {"box", "web"}),
    ({"channel": "box-office"}, {"box"}),
    ({"channel": "web-shop", "status": "awaiting_payment"}, {"web"}),
    ({"q": "BOX@example.com"}, {"box"}),
    ({"q": "shop-77"}, {"paid"}),
    ({"q": "kowalska"}, {"paid", "box", "web"}),
    ({"q": "nobody@example.com"}, set()),
])
def test_filters(agent_client, three_orders, params, expected):
    response = agent_client.get(ORDERS, params)
    assert set(numbers(response)) == {three_orders[k].number for k in expected}


def test_search_by_order_or_entry_number_in_any_case(agent_client, three_orders):
    order = three_orders["web"]
    assert numbers(agent_client.get(ORDERS, {"q": order.number.lower()})) == [order.number]
    entry = order.entries.first()
    assert numbers(agent_client.get(ORDERS, {"q": f" {entry.number.lower()} "})) == [
        order.number]


def test_date_range_is_days_in_the_sellers_time_zone(agent_client, seller):
    product = make_product(seller)
    late_evening = at(make_order(seller, product), datetime(2026, 3, 10, 22, 30, tzinfo=UTC))
    after_midnight = at(make_order(seller, product), datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    assert numbers(agent_client.get(ORDERS, {"created_to": "2026-03-10"})) == [
        late_evening.number]
    assert numbers(agent_client.get(ORDERS, {"created_from": "2026-03-11"})) == [
        after_midnight.number]
    both = agent_client.get(ORDERS, {"created_from": "2026-03-10", "created_to": "2026-03-11"})
    assert len(numbers(both)) == 2


def test_invalid_filters_are_reported_and_ignored(agent_client, three_orders):
    response = agent_client.get(ORDERS, {"created_from": "2026-03-12",
                                         "created_to": "2026-03-01", "status": "bogus"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.text
    assert len(numbers(response)) == 3


def test_filter_form_works_without_javascript_and_htmx_gets_only_the_table(
        agent_client, three_orders):
    full = agent_client.get(ORDERS, {"status": "paid"})
    assert "<html" in full.text and 'hx-get="/backoffice/orders/"' in full.text
    assert 'method="get"' in full.text
    fragment = agent_client.get(ORDERS, {"status": "paid"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "<table" in fragment.text
    assert numbers(fragment) == [three_orders["paid"].number]
    assert "HX-Request" in fragment["Vary"]
    restore = agent_client.get(ORDERS, headers={"HX-Request": "true",
                                                "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def _links(response) -> dict[str, str]:
    return {rel: href.replace("&amp;", "&") for rel, href in
            re.findall(r'rel="(prev|next)" href="([^"]*)"', response.text)}


def test_keyset_pagination_walks_older_and_newer_with_filters_kept(
        agent_client, seller, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    product = make_product(seller)
    base = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    orders = [make_order(seller, product) for _ in range(5)]
    # Two share a timestamp: the id breaks the tie, nothing is skipped or repeated.
    stamps = [base, base + timedelta(hours=1), base + timedelta(hours=1),
              base + timedelta(hours=2), base + timedelta(hours=3)]
    for order, stamp in zip(orders, stamps, strict=True):
        at(order, stamp)
    make_order(seller, product, channel="box-office")  # filtered out below
    newest_first = [o.number for o in sorted(orders, key=lambda o: (o.created_at, o.pk),
                                             reverse=True)]

    first = agent_client.get(ORDERS, {"channel": "web-shop"})
    assert numbers(first) == newest_first[:2]
    assert set(_links(first)) == {"next"}
    second = agent_client.get(ORDERS + _links(first)["next"])
    assert "channel=web-shop" in _links(first)["next"]
    assert numbers(second) == newest_first[2:4]
    assert set(_links(second)) == {"prev", "next"}
    third = agent_client.get(ORDERS + _links(second)["next"])
    assert numbers(third) == newest_first[4:]
    assert set(_links(third)) == {"prev"}
    back = agent_client.get(ORDERS + _links(third)["prev"])
    assert numbers(back) == newest_first[2:4]
    start = agent_client.get(ORDERS + _links(back)["prev"])
    assert numbers(start) == newest_first[:2]
    assert set(_links(start)) == {"next"}


def test_list_never_counts_rows(agent_client, seller):
    for _ in range(3):
        make_order(seller)
    with CaptureQueriesContext(connection) as queries:
        agent_client.get(ORDERS, {"q": "kowalska", "after": "9999999999999999-1"})
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    assert not [q for q in queries if "OFFSET" in q["sql"].upper()]


def test_a_broken_cursor_starts_from_the_newest(agent_client, seller):
    order = make_order(seller)
    for bad in ("x", "1-2-3", "-5", "99999999999999999999999-1"):
        assert numbers(agent_client.get(ORDERS, {"after": bad})) == [order.number]


def test_empty_list_says_so(agent_client, seller):
    assert "No orders yet." in agent_client.get(ORDERS).text
    assert "No orders match" in agent_client.get(ORDERS, {"status": OrderStatus.PAID}).text


def test_htmx_fragment_reports_filters_it_could_not_use(agent_client, seller):
    response = agent_client.get(ORDERS, {"created_from": "yesterday"},
                                headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert 'role="alert"' in response.text and "Created from:" in response.text


def test_search_box_says_what_matched_and_what_it_looked_for(agent_client, three_orders):
    response = agent_client.get(ORDERS, {"q": "+48 601 234 567"})
    assert set(numbers(response)) == {o.number for o in three_orders.values()}
    assert 'Phone: <bdi class="match__value">+48 601 234 567</bdi>' in response.text
    assert "3 orders found" in response.text
    response = agent_client.get(ORDERS, {"q": "Kowalsky"})
    assert "Surname similar to what you typed" in response.text
    nothing = agent_client.get(ORDERS, {"q": "999 888"}, headers={"HX-Request": "true"})
    assert numbers(nothing) == []
    assert "Nothing found. Looked for it as: Phone, Checkout answer." in nothing.text
    # The filters still apply to what the box finds.
    assert numbers(agent_client.get(ORDERS, {"q": "kowalska", "status": "paid"})) == [
        three_orders["paid"].number]


def test_door_staff_results_lead_to_check_in_not_the_order(seller, client_for, three_orders):
    from postsale.sellers.models import Role
    from postsale.sellers.tests.factories import make_member

    door = client_for(make_member(seller, role=Role.DOOR).user)
    order = three_orders["paid"]
    response = door.get(ORDERS, {"q": order.number})
    assert f'href="/backoffice/checkin/?find={order.number}"' in response.text
    assert f'href="/backoffice/orders/{order.number}/"' not in response.text
    found = door.get("/backoffice/checkin/", {"find": order.number})
    assert found.status_code == 200
    for entry in order.entries.all():
        assert entry.number in found.text
    assert door.get("/backoffice/checkin/", {"find": "PID-NOTHING1"}).status_code == 404
