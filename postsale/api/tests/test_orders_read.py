"""GET /api/v1/orders/{number} and GET /api/v1/orders: filters and cursor pagination."""

import base64
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from postsale.api.tests.conftest import ORDERS, assert_error, unsigned
from postsale.orders.models import Order
from postsale.orders.tests.factories import make_order


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [o["number"] for o in response.json()["items"]]


def test_read_order_returns_everything_about_it(api, create_order):
    created = create_order(external_id="shop-7", answers={"Plate": "WA 12345"})
    r = api.get(f"{ORDERS}/{created['number']}")
    assert r.status_code == 200
    assert unsigned(r.json()) == unsigned(created)


def test_reading_an_unknown_order_is_404(api, seller):
    assert_error(api.get(f"{ORDERS}/PID-00000000"), 404, "order_not_found")


@pytest.mark.parametrize("number", ["PID-%00", "PID-%0A1", "x" * 33])
def test_unreadable_order_numbers_are_422_not_500(api, seller, number):
    assert_error(api.get(f"{ORDERS}/{number}"), 422, field="number")


class TestFilters:
    @pytest.fixture
    def orders(self, seller, product):
        paid = make_order(seller, product, paid=True, email="paid@example.com")
        web = make_order(seller, product, email="Web@Example.com")
        box = make_order(seller, product, channel="box-office", email="box@example.com")
        return SimpleNamespace(paid=paid, web=web, box=box)

    def test_status(self, api, orders):
        assert numbers(api.get(ORDERS, {"status": "paid"})) == [orders.paid.number]
        awaiting = numbers(api.get(ORDERS, {"status": "awaiting_payment"}))
        assert set(awaiting) == {orders.web.number, orders.box.number}
        assert numbers(api.get(ORDERS, {"status": "refunded"})) == []

    def test_channel(self, api, orders):
        assert numbers(api.get(ORDERS, {"channel": "box-office"})) == [orders.box.number]
        assert numbers(api.get(ORDERS, {"channel": "kiosk"})) == []

    def test_email_in_any_case(self, api, orders):
        assert numbers(api.get(ORDERS, {"email": "WEB@example.COM"})) == [orders.web.number]

    def test_created_between(self, api, orders):
        base = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        for i, order in enumerate((orders.paid, orders.web, orders.box)):
            Order.objects.filter(pk=order.pk).update(created_at=base + timedelta(days=i))
        window = {"created_from": "2026-03-02T12:00:00Z", "created_to": "2026-03-03T12:00:00Z"}
        # from inclusive, to exclusive
        assert numbers(api.get(ORDERS, window)) == [orders.web.number]
        assert numbers(api.get(ORDERS, {"created_from": "2026-03-02T13:00:00+01:00"})) == [
            orders.box.number, orders.web.number]  # offsets are honoured
        assert numbers(api.get(ORDERS, {"created_to": "2026-03-01T12:00:01"})) == [
            orders.paid.number]  # no offset: UTC

    def test_filters_combine(self, api, orders):
        assert numbers(api.get(ORDERS, {"status": "paid", "channel": "web-shop"})) == [
            orders.paid.number]
        assert numbers(api.get(ORDERS, {"status": "paid", "channel": "box-office"})) == []

    @pytest.mark.parametrize("query, field", [
        ("status=lost", "status"),
        ("created_from=yesterday", "created_from"),
        ("created_from=9999-12-31T23:59:59-05:00", "created_from"),
        ("created_to=0001-01-01T00:00:00%2B05:00", "created_to"),
        ("email=a%00b", "email"),
        ("channel=" + "x" * 51, "channel"),
        ("limit=ten", "limit"),
    ])
    def test_bad_filters_are_422(self, api, seller, query, field):
        assert_error(api.get(f"{ORDERS}?{query}"), 422, field=field)


class TestPagination:
    def walk(self, api, limit: int, **filters) -> list[str]:
        seen, cursor, pages = [], None, 0
        while True:
            params = {"limit": limit, **filters} | ({"cursor": cursor} if cursor else {})
            r = api.get(ORDERS, params)
            page = numbers(r)
            assert len(page) <= limit
            seen += page
            pages += 1
            cursor = r.json()["next_cursor"]
            if cursor is None:
                return seen
            assert page, "a cursor is only given when more orders follow"
            assert pages < 100

    def test_walking_all_pages_gives_every_order_once_newest_first(self, api, seller, product):
        orders = [make_order(seller, product) for _ in range(9)]
        base = datetime(2026, 5, 1, tzinfo=UTC)
        # Orders 2–6 share one timestamp: the id breaks the tie.
        stamps = [base, base + timedelta(hours=1)] + [base + timedelta(hours=2)] * 5 + [
            base + timedelta(hours=3, microseconds=1), base + timedelta(hours=3)]
        for order, stamp in zip(orders, stamps, strict=True):
            Order.objects.filter(pk=order.pk).update(created_at=stamp)
        expected = list(Order.objects.order_by("-created_at", "-id")
                        .values_list("number", flat=True))
        for limit in (1, 2, 3, 4, 5, 9, 10, 200):
            walked = self.walk(api, limit)
            assert walked == expected, limit
            assert len(set(walked)) == len(walked) == 9

    def test_pages_of_orders_with_identical_created_at(self, api, seller, product):
        orders = [make_order(seller, product) for _ in range(7)]
        Order.objects.update(created_at=datetime(2026, 5, 1, tzinfo=UTC))
        assert sorted(self.walk(api, 2)) == sorted(o.number for o in orders)
        assert self.walk(api, 3) == [o.number for o in reversed(orders)]

    def test_paging_with_a_filter(self, api, seller, product):
        boxed = {make_order(seller, product, channel="box-office").number for _ in range(5)}
        for _ in range(3):
            make_order(seller, product)
        walked = self.walk(api, 2, channel="box-office")
        assert set(walked) == boxed and len(walked) == 5

    def test_an_order_created_while_paging_does_not_shift_pages(self, api, seller, product):
        first = [make_order(seller, product) for _ in range(4)]
        r = api.get(ORDERS, {"limit": 2})
        make_order(seller, product)  # newer than everything: belongs before page one
        rest = numbers(api.get(ORDERS, {"limit": 2, "cursor": r.json()["next_cursor"]}))
        assert numbers(r) + rest == [o.number for o in reversed(first)]

    @pytest.mark.parametrize("limit", [0, -1, 201, 10**20])
    def test_limit_out_of_bounds_is_422(self, api, seller, limit):
        assert_error(api.get(ORDERS, {"limit": limit}), 422, field="limit")

    @pytest.mark.parametrize("limit", [1, 200])
    def test_limit_bounds_are_accepted(self, api, seller, limit):
        assert api.get(ORDERS, {"limit": limit}).status_code == 200

    @pytest.mark.parametrize("raw", [
        None, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00|x",
        "2026-01-01T00:00:00|1",  # naive
        "2026-01-01T00:00:00+00:00|99999999999999999999999",
        "2026-01-01T00:00:00+00:00|-4", "0001-01-01T00:00:00+05:00|1",
        "tomorrow|1", "a|b|c"])
    def test_bad_cursor_is_422(self, api, seller, raw):
        cursor = "not base64!" if raw is None else base64.urlsafe_b64encode(raw.encode()).decode()
        assert_error(api.get(f"{ORDERS}?cursor={quote(cursor)}"), 422, field="cursor")

    def test_cursor_of_binary_garbage_is_422(self, api, seller):
        cursor = base64.urlsafe_b64encode(b"\xff\xfe\x00|\x01").decode()
        assert_error(api.get(ORDERS, {"cursor": cursor}), 422, field="cursor")


def test_listing_does_not_query_per_order(api, seller, product,
                                          django_assert_max_num_queries):
    for _ in range(15):
        make_order(seller, product, paid=True)
    with django_assert_max_num_queries(15):
        r = api.get(ORDERS, {"limit": 100})
    assert len(r.json()["items"]) == 15
