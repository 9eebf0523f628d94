"""The search box at scale: p50/p95 per kind of query, measured in the process
(`orders.search.search_orders`, what the back office and the API call) and over HTTP
(`GET /api/v1/search` against a real `postsale web` server, one keep-alive client).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postsale_bench \\
        uv run --frozen python bench/generate.py --orders 1000000 --recreate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postsale_bench \\
        uv run --frozen python bench/search.py [--queries 200] [--seller bench-shop]

Queries are drawn at random from the seller's data and typed the way people type them:
numbers in lower case, e-mail addresses in mixed case, phone numbers with spaces and a
country prefix or without one, checkout answers in lower case, surnames without their
accents, the first letters of a surname, and a surname with one letter wrong."""

import argparse
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")


def spaced_phone(e164: str, rng: random.Random) -> str:
    """+48601234567 → "+48 601 234 567", "0048 601-234-567" or "601 234 567"."""
    if e164.startswith("+48"):
        national = e164[3:]
        groups = f"{national[:3]} {national[3:6]} {national[6:]}"
        return rng.choice([f"+48 {groups}", f"0048 {groups.replace(' ', '-')}", groups])
    return f"{e164[:4]} {e164[4:6]} {e164[6:9]} {e164[9:]}"  # +380 50 123 4567


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("aeiouyksz".replace(word[i], "")) + word[i + 1:]


def queries(seller, n: int, rng: random.Random) -> dict[str, list[str]]:
    from django.db.models import Count

    from postsale.core.text import fold
    from postsale.orders.models import Customer, Entry, Order, OrderAnswer
    from postsale.payments.models import Payment

    def sample(qs, field: str) -> list[str]:
        # Random rows without ORDER BY random() over a million: random id windows.
        ids = qs.order_by("pk").values_list("pk", flat=True)
        first, last = ids.first(), qs.order_by("-pk").values_list("pk", flat=True).first()
        picked: list[str] = []
        while len(picked) < n:
            start = rng.randint(first, last)
            value = (qs.filter(pk__gte=start).order_by("pk")
                     .values_list(field, flat=True).first())
            if value:
                picked.append(value)
        return picked

    orders = Order.objects.filter(seller=seller)
    customers = Customer.objects.filter(seller=seller).exclude(last_name="")
    surnames = sample(customers, "last_name")
    # Latin surnames long enough for a prefix and a typo to mean something.
    latin = [s for s in sample(customers.filter(name_key__regex=r"^[a-z]{6,}$"), "name_key")]
    common = list(customers.values("name_key").annotate(n=Count("id")).order_by("-n")
                  .values_list("last_name", flat=True)[:10])
    return {
        "order number (PID)": [v.lower() for v in sample(orders, "number")],
        "entry number (TID)": [v.lower() for v in
                               sample(Entry.objects.filter(seller=seller), "number")],
        "e-mail": [v.upper() if rng.random() < 0.3 else v.capitalize()
                   for v in sample(orders, "email")],
        "phone, spaces and prefix": [spaced_phone(v, rng) for v in sample(orders, "phone")],
        "payment id": sample(Payment.objects.filter(seller=seller), "provider_transaction_id"),
        "channel order id": sample(orders.exclude(external_id=None), "external_id"),
        "checkout answer": [v.lower() for v in
                            sample(OrderAnswer.objects.filter(order__seller=seller), "answer")],
        "surname, exact (accents dropped)": [fold(s) for s in surnames],
        "surname, one of the 10 most common": [rng.choice(common) for _ in range(n)],
        "surname, first 4 letters": [s[:4] for s in latin],
        "surname, one letter wrong": [typo(s, rng) for s in latin],
    }


def percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return (statistics.median(timings) * 1000,
            timings[min(len(timings) - 1, int(0.95 * len(timings)))] * 1000)


def in_process(seller, batches: dict[str, list[str]]) -> dict[str, tuple]:
    from postsale.orders.search import search_orders

    results = {}
    for name, qs in batches.items():
        for q in qs[:20]:  # warm the caches this kind uses
            search_orders(seller=seller, q=q)
        timings, found = [], 0
        for q in qs:
            start = time.perf_counter()
            result = search_orders(seller=seller, q=q)
            timings.append(time.perf_counter() - start)
            found += bool(result.hits)
        results[name] = (*percentiles(timings), found / len(qs))
    return results


def over_http(url: str, token: str, batches: dict[str, list[str]]) -> dict[str, tuple]:
    import httpx

    transport = httpx.HTTPTransport(
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    results = {}
    with httpx.Client(base_url=url, timeout=60, transport=transport,
                      headers={"Authorization": f"Bearer {token}"}) as http:
        for _ in range(50):
            http.get("/api/v1/search", params={"q": "warm-up"})
        for name, qs in batches.items():
            timings, found = [], 0
            for q in qs:
                start = time.perf_counter()
                response = http.get("/api/v1/search", params={"q": q})
                timings.append(time.perf_counter() - start)
                if response.status_code != 200:
                    sys.exit(f"{q!r}: HTTP {response.status_code} {response.text[:200]}")
                found += bool(response.json()["results"])
            results[name] = (*percentiles(timings), found / len(qs))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200, help="per kind")
    parser.add_argument("--seller", default="bench-shop")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL database made by bench/generate.py.")

    import django

    django.setup()
    from django.db import connection, connections

    from postsale.orders.models import Entry, Order
    from postsale.sellers.models import Seller
    from postsale.sellers.services import api_token_create

    seller = Seller.objects.get(slug=args.seller)
    rng = random.Random(args.seed)
    batches = queries(seller, args.queries, rng)
    print(f"PostgreSQL {connection.pg_version // 10000}, database "
          f"{connection.settings_dict['NAME']}: {Order.objects.count():,} orders, "
          f"{Entry.objects.count():,} entries; seller {seller.slug} "
          f"({Order.objects.filter(seller=seller).count():,} orders); {args.queries} queries "
          f"per kind; {os.cpu_count()} CPU cores", flush=True)
    local = in_process(seller, batches)
    _, token = api_token_create(seller=seller, name="bench-search", scopes=["orders:read"])
    connections.close_all()

    from checkin import start_server

    with tempfile.NamedTemporaryFile("w", prefix="bench-search-", suffix=".log",
                                     delete=False) as log:
        server = start_server(args.port, args.workers, 1, log)
        try:
            remote = over_http(f"http://127.0.0.1:{args.port}", token, batches)
        finally:
            server.terminate()
            server.wait(timeout=30)

    print("\n| query | found | in process p50 ms | p95 ms | over HTTP p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    for name in batches:
        p50, p95, found = local[name]
        h50, h95, _ = remote[name]
        print(f"| {name} | {found:.0%} | {p50:.1f} | {p95:.1f} | {h50:.1f} | {h95:.1f} |")


if __name__ == "__main__":
    main()
