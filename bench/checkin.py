"""Check-in over HTTP: latency (p50/p95/p99) and scans per second of
`POST /api/v1/checkins` against a real `postsale web` server (gunicorn), at 1 and 8
concurrent clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postsale_gate_bench \\
        uv run --frozen python bench/checkin.py [--load 20000] [--scans 2000] \\
        [--clients 1,8] [--port 8101] [--workers 4] [--threads 2] [--seller SLUG]

Scans the entries already in the database (e.g. made by bench/generate.py); `--load N`
first migrates and adds a seller with N paid entries made through the services, for a
small run on an empty database. Without `--seller`, the seller with the most valid entries
is used. Per number of clients, three passes over `--scans` codes:
- first scans of valid entries nobody has scanned (`ok`: the entry is marked used — the
  path that writes: conditional UPDATE, the check-in row, an audit row);
- the same codes again (`already_used`, with the lookup of the first use);
- codes of no entry (`unknown`).
The server is started with a grace window wide enough that entries of any time slot count
as "now", so generated data with slots in the past or future scans `ok` too. Each client is
a process with its own keep-alive connection; every scan has a nonce, as a gate sends."""

import argparse
import multiprocessing
import os
import queue
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "false"  # no query log kept in memory
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
WIDE_GRACE = str(10 * 365 * 24 * 60)  # minutes: ten years either side of every slot


def load(n: int) -> None:
    """A seller with a timed product, a slot running now and `n` paid entries."""
    from postsale.core import clock
    from postsale.core.audit import SYSTEM
    from postsale.orders.models import ProductKind
    from postsale.orders.tests.factories import make_product, make_slot, order_draft
    from postsale.payments.services import order_submit
    from postsale.sellers.models import Seller
    from postsale.sellers.tests.factories import make_seller

    seller = Seller.objects.filter(slug="bench-gate").first() or make_seller(
        slug="bench-gate", name="Bench Gate")
    product = make_product(seller, kind=ProductKind.TIMED_ENTRY, price=3000, name="Stadium")
    slot = make_slot(product, capacity=n, starts_in=timedelta(0))
    start, made = time.perf_counter(), 0
    while made < n:
        quantity = min(100, n - made)  # the most one order line may hold
        order_submit(seller=seller, draft=order_draft(product, slot=slot, quantity=quantity,
                                                      paid=True, email=f"fan{made}@example.com"),
                     actor=SYSTEM, source="bench", notify=False, now=clock.now())
        made += quantity
    print(f"loaded {n:,} paid entries for slot {slot.pk} in {time.perf_counter() - start:.1f} s")


def pick(seller_slug: str | None, count: int):
    from django.db.models import Count

    from postsale.orders.models import Entry, EntryStatus
    from postsale.sellers.models import Seller
    from postsale.sellers.services import api_token_create

    if seller_slug:
        seller = Seller.objects.get(slug=seller_slug)
    else:
        top = (Entry.objects.filter(status=EntryStatus.VALID).values("seller")
               .annotate(n=Count("id")).order_by("-n").first())
        if top is None:
            sys.exit("No valid entries in this database; pass --load N to make some.")
        seller = Seller.objects.get(pk=top["seller"])
    codes = list(Entry.objects.filter(seller=seller, status=EntryStatus.VALID)
                 .order_by("?").values_list("secret", flat=True)[:count])
    if len(codes) < count:
        sys.exit(f"{seller.slug} has {len(codes)} valid entries; the runs need {count}. "
                 "Pass fewer --scans or --load more.")
    _, token = api_token_create(seller=seller, name="bench-checkin",
                                scopes=["checkins:write"])
    return seller, codes, token


def start_server(port: int, workers: int, threads: int, log) -> subprocess.Popen:
    env = os.environ | {"POSTSALE_CHECKIN_EARLY_MINUTES": WIDE_GRACE,
                        "POSTSALE_CHECKIN_LATE_MINUTES": WIDE_GRACE}
    server = subprocess.Popen(
        [sys.executable, "-c", "from postsale.cli import main; main()", "web",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped; see {log.name}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit(f"the server did not start within 120 s; see {log.name}")


def client(url: str, token: str, codes: list[str], barrier, results) -> None:
    """One gate: scans its codes one after the other over a keep-alive connection."""
    import httpx

    timings, outcomes = [], Counter()
    # Without TCP_NODELAY the body, written after the headers, waits for the server's
    # delayed ACK: 40 ms on Linux, which would be measured as the scan's latency.
    transport = httpx.HTTPTransport(
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    with httpx.Client(base_url=url, timeout=120, transport=transport,
                      headers={"Authorization": f"Bearer {token}"}) as http:
        http.post("/api/v1/checkins", json={"secret": "warm-up"})  # connect first
        barrier.wait(timeout=300)
        for code in codes:
            body = {"secret": code, "nonce": secrets.token_hex(12), "gate": "bench",
                    "device": f"bench-{os.getpid()}"}
            start = time.perf_counter()
            response = http.post("/api/v1/checkins", json=body)
            timings.append(time.perf_counter() - start)
            outcomes[response.json().get("result") if response.status_code == 201
                     else f"http {response.status_code}"] += 1
    results.put((timings, outcomes))


def run(url: str, token: str, codes: list[str], clients: int) -> dict:
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(clients + 1), context.Queue()
    shares = [codes[i::clients] for i in range(clients)]
    processes = [context.Process(target=client, args=(url, token, share, barrier, results))
                 for share in shares]
    for process in processes:
        process.start()
    barrier.wait(timeout=300)  # BrokenBarrierError if a client fails to start
    start = time.perf_counter()
    gathered = []
    while len(gathered) < clients:
        try:
            gathered.append(results.get(timeout=5))
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in processes):
                sys.exit("a client failed (its traceback is above)")
    elapsed = time.perf_counter() - start
    for process in processes:
        process.join()
    timings = sorted(t for ts, _ in gathered for t in ts)
    outcomes = sum((o for _, o in gathered), Counter())

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(p * len(timings)))] * 1000

    return {"scans": len(timings), "outcomes": dict(outcomes), "p50": pct(0.50),
            "p95": pct(0.95), "p99": pct(0.99), "max": timings[-1] * 1000,
            "mean": statistics.fmean(timings) * 1000, "rate": len(timings) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", type=int, default=0,
                        help="first add a seller with this many paid entries")
    parser.add_argument("--scans", type=int, default=2000, help="codes per pass")
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seller", help="slug; default: the one with most valid entries")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL database to measure.")
    clients = [int(c) for c in args.clients.split(",")]

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from postsale.orders.models import Entry

    if args.load:
        call_command("migrate", verbosity=0)
        load(args.load)
    seller, codes, token = pick(args.seller, args.scans * len(clients))
    total = Entry.objects.count()
    print(f"PostgreSQL {connection.pg_version // 10000}, database "
          f"{connection.settings_dict['NAME']}: {total:,} entries; seller {seller.slug}; "
          f"server: {args.workers} gunicorn workers × {args.threads} threads, "
          f"{os.cpu_count()} CPU cores shared with the clients")
    connections.close_all()  # the client processes are forked

    url, rows = f"http://127.0.0.1:{args.port}", []
    with tempfile.NamedTemporaryFile("w", prefix="bench-checkin-", suffix=".log",
                                     delete=False) as log:
        server = start_server(args.port, args.workers, args.threads, log)
        try:
            # Every worker and thread loads the URLconf and connects to the database first.
            run(url, token, [f"warm-up-{i}" for i in range(400)], max(clients))
            for i, n in enumerate(clients):
                fresh = codes[i * args.scans:(i + 1) * args.scans]
                unknown = [secrets.token_urlsafe(24) for _ in fresh]
                for name, batch in (("first scan → ok", fresh),
                                    ("again → already_used", fresh),
                                    ("unknown code", unknown)):
                    rows.append((name, n, run(url, token, batch, n)))
        finally:
            server.terminate()
            server.wait(timeout=30)

    print("\n| pass | clients | scans | results | p50 ms | p95 ms | p99 ms | max ms | "
          "scans/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, n, r in rows:
        results = ", ".join(f"{k} {v}" for k, v in sorted(r["outcomes"].items()))
        print(f"| {name} | {n} | {r['scans']:,} | {results} | {r['p50']:.1f} | "
              f"{r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {r['rate']:.0f} |")


if __name__ == "__main__":
    main()
