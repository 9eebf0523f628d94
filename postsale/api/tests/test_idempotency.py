"""Creating an order is idempotent by `Idempotency-Key` and by the channel's external id,
also under concurrent identical requests."""

import json
import os
import subprocess
import sys
import threading

import httpx
import pytest
from django.conf import settings
from django.db import connection

from postsale.api.idempotency import run_idempotent
from postsale.api.models import IdempotencyRecord
from postsale.api.tests.conftest import (
    ORDERS,
    assert_error,
    order_body,
    post,
    row_counts,
    unsigned,
)
from postsale.core.errors import DomainError
from postsale.orders.models import Customer, Order
from postsale.orders.tests.factories import make_product
from postsale.sellers.tests.factories import make_token

KEY = {"Idempotency-Key": "2f1c0d4e-key-1"}
# Questions in an order PostgreSQL's jsonb would not keep: the replay must still match.
ANSWERS = {"zz-last": "1", "a": "2", "Company": "ACME", "b": "3"}


class TestIdempotencyKey:
    def test_same_key_twice_gives_one_order_and_the_identical_response(self, api, product):
        first = post(api, ORDERS, order_body(answers=ANSWERS), **KEY)
        second = post(api, ORDERS, order_body(answers=ANSWERS), **KEY)
        assert first.status_code == second.status_code == 201
        assert second.content == first.content
        assert Order.objects.count() == 1
        assert list(first.json()["answers"]) == list(ANSWERS)

    def test_a_replay_is_the_first_response_even_after_the_order_changed(self, api, product):
        first = post(api, ORDERS, order_body(), **KEY)
        Order.objects.update(status="paid")
        assert post(api, ORDERS, order_body(), **KEY).content == first.content

    def test_same_key_with_another_body_is_422_and_creates_nothing(self, api, product):
        post(api, ORDERS, order_body(), **KEY)
        before = row_counts()
        other = order_body(lines=[{"product": "museum-open", "quantity": 3}])
        body = assert_error(post(api, ORDERS, other, **KEY), 422, "idempotency_key_reused")
        assert "Idempotency-Key" in body["fields"]
        assert row_counts() == before

    def test_whitespace_the_api_strips_does_not_make_another_body(self, api, product):
        spaced = order_body(customer={"email": " jan.nowak@example.com ", "first_name": "Jan "})
        plain = order_body(customer={"email": "jan.nowak@example.com", "first_name": "Jan"})
        assert post(api, ORDERS, spaced, **KEY).status_code == 201
        assert post(api, ORDERS, plain, **KEY).status_code == 201
        assert Order.objects.count() == 1

    def test_a_failed_request_leaves_no_record_and_may_be_retried(self, api, product):
        assert_error(post(api, ORDERS, order_body(channel="kiosk"), **KEY), 422)
        assert not IdempotencyRecord.objects.exists()
        assert post(api, ORDERS, order_body(), **KEY).status_code == 201

    def test_different_keys_give_different_orders(self, api, product):
        a = post(api, ORDERS, order_body(), **{"Idempotency-Key": "a"})
        b = post(api, ORDERS, order_body(), **{"Idempotency-Key": "b"})
        assert a.json()["number"] != b.json()["number"]

    def test_key_with_an_external_id_order_replays_the_200(self, api, product):
        post(api, ORDERS, order_body(external_id="shop-1"))
        first = post(api, ORDERS, order_body(external_id="shop-1"), **KEY)
        assert first.status_code == 200
        assert post(api, ORDERS, order_body(external_id="shop-1"), **KEY).content == (
            first.content)

    @pytest.mark.parametrize("key", ["k" * 256, "line\nbreak"])
    def test_unusable_keys_are_422(self, api, product, key):
        before = row_counts()
        assert_error(post(api, ORDERS, order_body(), **{"Idempotency-Key": key}), 422,
                     field="Idempotency-Key")
        assert row_counts() == before

    def test_a_record_of_another_operation_under_the_key_is_a_reuse(self, seller):
        run_idempotent(seller=seller, key="k", operation="tickets.create", payload={},
                       work=lambda: (201, {"ok": True}))
        with pytest.raises(DomainError) as exc:
            run_idempotent(seller=seller, key="k", operation="orders.create", payload={},
                           work=lambda: (201, {}))
        assert exc.value.code == "idempotency_key_reused"


class TestExternalId:
    def test_same_external_id_without_a_key_returns_the_existing_order(self, api, product):
        first = post(api, ORDERS, order_body(external_id="shop-1"))
        second = post(api, ORDERS, order_body(external_id="shop-1"))
        assert (first.status_code, second.status_code) == (201, 200)
        assert unsigned(second.json()) == unsigned(first.json())
        assert Order.objects.count() == 1

    def test_same_external_id_with_other_content_is_409_and_creates_nothing(self, api,
                                                                             product):
        first = post(api, ORDERS, order_body(external_id="shop-1"))
        before = row_counts()
        other = order_body(external_id="shop-1", customer={"email": "ola@example.com"})
        body = assert_error(post(api, ORDERS, other), 409, "external_id_reused")
        assert first.json()["number"] in body["message"]
        assert row_counts() == before

    def test_same_external_id_on_another_channel_is_another_order(self, api, product):
        post(api, ORDERS, order_body(external_id="shop-1"))
        r = post(api, ORDERS, order_body(external_id="shop-1", channel="box-office"))
        assert r.status_code == 201
        assert Order.objects.count() == 2


# -- Concurrency: ten identical requests at once, through a real HTTP server. -----------

def _fire_concurrently(url: str, token: str, body: dict, headers: dict, n: int = 10):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def one(i):
        try:
            with httpx.Client(timeout=60) as client:
                barrier.wait()
                results[i] = client.post(url, json=body,
                                         headers={"Authorization": f"Bearer {token}", **headers})
        except Exception as exc:  # reported by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.fixture
def server(live_server, seller):
    make_product(seller, sku="museum-open", price=4000)
    return live_server.url + ORDERS, make_token(seller)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_requests_with_one_idempotency_key_create_one_order(server):
    url, token = server
    responses = _fire_concurrently(url, token, order_body(answers=ANSWERS), KEY)
    assert all(isinstance(r, httpx.Response) for r in responses), responses
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["number"] for r in responses}) == 1
    assert len({r.content for r in responses}) == 1  # the very same body
    assert Order.objects.count() == Customer.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_requests_with_one_external_id_create_one_order(server):
    url, token = server
    responses = _fire_concurrently(url, token, order_body(external_id="shop-77"), {})
    assert all(isinstance(r, httpx.Response) for r in responses), responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 9 + [201], [r.text for r in responses]
    assert len({r.json()["number"] for r in responses}) == 1
    assert Order.objects.count() == Customer.objects.count() == 1


def test_ten_concurrent_requests_on_a_sqlite_file_create_one_order(tmp_path):
    """The embedded default: SQLite with IMMEDIATE transactions serializes the writers; the
    later ones replay the key, or find the external id."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run([sys.executable, "-m", "postsale.api.tests.sqlite_race"],
                          env=env, cwd=settings.BASE_DIR, capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    for mode, expected in (("key", [201] * 10), ("external_id", [200] * 9 + [201])):
        outcome = summary[mode]
        assert sorted((status for status, _ in outcome["results"]), key=str) == expected, outcome
        assert len({number for _, number in outcome["results"]}) == 1, outcome
        assert outcome["orders"] == 1, outcome
    assert summary["key"]["records"] == 1
