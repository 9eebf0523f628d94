"""Ten identical concurrent order requests against a SQLite *file* database configured like
the embedded default (WAL, IMMEDIATE transactions). Run by test_idempotency.py in a
subprocess with DATABASE_URL pointing at a fresh file; prints a JSON summary per scenario:
the same Idempotency-Key ten times, and the same external id (no key) ten times."""

import json
import os
import threading

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from postsale.api.models import IdempotencyRecord
    from postsale.api.tests.conftest import ORDERS, order_body
    from postsale.orders.models import Order
    from postsale.orders.tests.factories import make_product
    from postsale.sellers.tests.factories import make_seller, make_token

    assert connection.vendor == "sqlite" and connection.settings_dict["NAME"] != ":memory:"
    setup_test_environment()
    call_command("migrate", verbosity=0)
    summary = {}
    for mode in ("key", "external_id"):
        seller = make_seller(slug=f"race-{mode}".replace("_", "-"))
        make_product(seller, sku="museum-open", price=4000)
        token = make_token(seller)
        connection.close()
        if mode == "key":
            body, headers = order_body(), {"Idempotency-Key": "race-1"}
        else:
            body, headers = order_body(external_id="race-1"), {}
        results = _race(Client(headers={"Authorization": f"Bearer {token}", **headers}),
                        ORDERS, body)
        summary[mode] = {"results": results,
                         "orders": Order.objects.filter(seller=seller).count(),
                         "records": IdempotencyRecord.objects.filter(seller=seller).count()}
    print(json.dumps(summary))


def _race(client, url: str, body: dict, n: int = 10) -> list:
    from django.db import connection

    barrier = threading.Barrier(n)
    results: list = [None] * n

    def one(i):
        try:
            barrier.wait()
            r = client.post(url, json.dumps(body), content_type="application/json")
            results[i] = [r.status_code, r.json().get("number") or r.json()]
        except Exception as exc:  # reported to the test
            results[i] = ["exception", repr(exc)]
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results

if __name__ == "__main__":
    main()
