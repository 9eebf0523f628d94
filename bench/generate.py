"""Fills a PostgreSQL database with realistic orders for the benchmarks, fast: rows are
made in Python and written with COPY, not through the ORM (1,000,000 orders with
2,000,000 entries take minutes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postsale_bench \\
        uv run --frozen python bench/generate.py --orders 1000000 [--recreate]

Two sellers share the database (9 in 10 orders are `bench-shop`'s, the rest
`bench-other`'s), so every search also proves it stays within one seller. Each order has
one line of two entries of a timed product (a slot per day over two years), 9 in 10 are
paid (a payment with a gateway id), 6 in 10 carry the channel's own order number, 1 in 5
answered a checkout question (a car plate). Customers (4 per 5 orders; the rest come back)
have Polish, Italian, Ukrainian and Hebrew names, surnames drawn with a long tail (a few
very common, tens of thousands rare), a mobile number, and an e-mail address. The runs are
reproducible (`--seed`)."""

import argparse
import os
import random
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "false"

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
START = datetime(2025, 1, 1, 8, tzinfo=UTC)
DAYS = 730

FIRST = ["Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Piotr", "Krzysztof",
         "Andrzej", "Tomasz", "Paweł", "Łukasz", "Michał", "Zofia", "Jakub", "Giulia",
         "Francesca", "Chiara", "Marco", "Luca", "Giuseppe", "Alessandro", "Sofia",
         "Олена", "Оксана", "Ірина", "Андрій", "Олександр", "Дмитро", "Тарас",
         "נועה", "תמר", "יוסף", "דוד", "אברהם", "Noa", "Yosef", "Tamar", "Ewa", "Jan"]
COMMON = ["Nowak", "Kowalski", "Kowalska", "Wiśniewski", "Wiśniewska", "Wójcik",
          "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak",
          "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Krawczyk", "Rossi", "Russo",
          "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
          "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Шевченко", "Бойко", "Коваленко",
          "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "כהן", "לוי", "מזרחי",
          "Cohen", "Levi", "Mizrahi", "Peretz", "Biton", "Łęcki", "Żak", "Müller"]
SYLLABLES = ["ko", "wal", "no", "wak", "lew", "an", "dow", "zie", "lin", "szym", "mar",
             "ro", "si", "fer", "ra", "ri", "bian", "chi", "con", "ti", "gal", "lo", "bru",
             "ma", "zur", "kraw", "czyk", "dą", "brow", "ja", "kow", "łą", "ka", "pie",
             "tro", "sie", "ni", "ga", "be", "ta", "mo", "de", "lu", "to", "var", "ne"]
ENDINGS = ["ski", "ska", "cki", "cka", "ak", "ek", "czyk", "ewicz", "ini", "etti", "one",
           "enko", "uk", "yn", "man", "el", "i", "o", "a", "er"]
DOMAINS = ["gmail.com", "wp.pl", "onet.pl", "interia.pl", "libero.it", "gmail.com",
           "ukr.net", "walla.co.il", "outlook.com", "example.com"]


def scramble(i: int, length: int, prime: int) -> str:
    """A distinct public-looking number for each i (a bijection on 32**length)."""
    n = (i * prime + 7_654_321) % (32 ** length)
    return "".join(ALPHABET[(n >> (5 * k)) & 31] for k in reversed(range(length)))


def surname_pool(rng: random.Random, size: int) -> list[str]:
    made = set(COMMON)
    while len(made) < size:
        parts = rng.choices(SYLLABLES, k=rng.choice((1, 2, 2, 3)))
        made.add(("".join(parts) + rng.choice(ENDINGS)).capitalize())
    rare = sorted(made - set(COMMON))
    rng.shuffle(rare)
    return COMMON + rare


def pick_surname(rng: random.Random, pool: list[str]) -> str:
    # A long tail: a third of customers share the common names, the rest spread thin.
    if rng.random() < 0.35:
        return pool[min(len(COMMON) - 1, int(rng.paretovariate(1.2)) - 1)]
    return pool[len(COMMON) + int(rng.random() ** 1.5 * (len(pool) - len(COMMON)))]


def ascii_part(text: str) -> str:
    from postsale.core.text import fold

    key = "".join(c for c in fold(text) if c.isascii() and c.isalnum())
    return key or "client"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--surnames", type=int, default=40_000, help="distinct surnames")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--recreate", action="store_true",
                        help="drop and create the database first, then migrate")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    if args.recreate:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.0f} s", flush=True)
    generate(args.orders, args.surnames, random.Random(args.seed), connection)
    print(f"done in {time.perf_counter() - started:.0f} s", flush=True)


def generate(total: int, surnames: int, rng: random.Random, connection) -> None:
    from postsale.core.text import fold
    from postsale.orders.models import Product, ProductKind, TimeSlot
    from postsale.sellers.models import SalesChannel, Seller
    from postsale.sellers.services import channel_create, seller_create

    sellers, shares = [], [("bench-shop", 0.9), ("bench-other", 0.1)]
    for slug, _ in shares:
        seller = Seller.objects.filter(slug=slug).first() or seller_create(
            slug=slug, name=slug.replace("-", " ").title(), account_email=f"owner@{slug}.test")
        channel = (SalesChannel.objects.filter(seller=seller, code="web-shop").first()
                   or channel_create(seller=seller, code="web-shop", name="Web shop"))
        product = Product.objects.create(
            seller=seller, sku=f"tour-{secrets.token_hex(3)}", name="City tour",
            kind=ProductKind.TIMED_ENTRY, price=4500, currency=seller.currency)
        slots = TimeSlot.objects.bulk_create(
            TimeSlot(product=product, starts_at=START + timedelta(days=d),
                     ends_at=START + timedelta(days=d, hours=2), capacity=10_000)
            for d in range(DAYS))
        sellers.append((seller, channel, product, [s.pk for s in slots]))

    cursor = connection.cursor()

    def next_id(table: str) -> int:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]

    ids = {t: next_id(t) for t in ("orders_customer", "orders_order", "orders_orderline",
                                   "orders_entry", "payments_payment", "orders_orderanswer")}
    pool = surname_pool(rng, surnames)
    raw = connection.connection  # psycopg 3
    t0 = time.perf_counter()
    customers_of: dict[int, list[int]] = {s.pk: [] for s, *_ in sellers}
    surname_keys: set[tuple[int, str]] = set()
    cols = {
        "orders_customer": "id, seller_id, email, first_name, last_name, phone, language, "
                           "created_at, name_key",
        "orders_order": "id, seller_id, channel_id, number, external_id, fingerprint, "
                        "customer_id, name_key, email, phone, language, currency, total, "
                        "status, created_at, paid_at, expires_at, closed_at, link_generation",
        "orders_orderline": "id, order_id, product_id, time_slot_id, quantity, unit_price",
        "orders_entry": "id, seller_id, order_id, line_id, time_slot_id, number, secret, "
                        "status, used_at, voided_at, sync_version",
        "payments_payment": "id, seller_id, order_id, provider, provider_transaction_id, "
                            "amount, currency, status, refunded_amount, created_at, "
                            "confirmed_at",
        "orders_orderanswer": "id, order_id, question, answer",
    }
    customer_info: dict[int, tuple[str, str, str]] = {}
    batch = 50_000
    done = 0
    while done < total:
        n = min(batch, total - done)
        rows: dict[str, list[tuple]] = {t: [] for t in cols}
        for k in range(n):
            i = done + k
            seller, channel, product, slots = sellers[0] if rng.random() < shares[0][1] \
                else sellers[1]
            created = START + timedelta(seconds=int(i / total * DAYS * 86400)
                                        + rng.randrange(3600))
            known = customers_of[seller.pk]
            if known and rng.random() < 0.2:
                customer_id = rng.choice(known)
                email, phone, key = customer_info[customer_id]
            else:
                customer_id = ids["orders_customer"]
                ids["orders_customer"] += 1
                first, last = rng.choice(FIRST), pick_surname(rng, pool)
                email = (f"{ascii_part(first)}.{ascii_part(last)}.{customer_id}"
                         f"@{rng.choice(DOMAINS)}")
                phone = f"+48{rng.choice('5678')}{rng.randrange(10**8):08d}" \
                    if rng.random() < 0.85 else \
                    f"+380{rng.choice(('50', '67', '93'))}{rng.randrange(10**7):07d}"
                key = fold(last)
                rows["orders_customer"].append((customer_id, seller.pk, email, first, last,
                                                phone, "pl", created, key))
                surname_keys.add((seller.pk, key))
                known.append(customer_id)
                customer_info[customer_id] = (email, phone, key)
            order_id = ids["orders_order"]
            ids["orders_order"] += 1
            paid = rng.random() < 0.9
            total_price = 2 * product.price
            rows["orders_order"].append((
                order_id, seller.pk, channel.pk, "PID-" + scramble(order_id, 8, 1_000_003),
                f"WS-{order_id:09d}" if rng.random() < 0.6 else None, "", customer_id, key,
                email, phone, "pl", seller.currency, total_price,
                "paid" if paid else "awaiting_payment", created,
                created + timedelta(minutes=2) if paid else None,
                None if paid else created + timedelta(days=1), None, 0))
            line_id = ids["orders_orderline"]
            ids["orders_orderline"] += 1
            slot = rng.choice(slots)
            rows["orders_orderline"].append((line_id, order_id, product.pk, slot, 2,
                                             product.price))
            for _ in range(2):
                entry_id = ids["orders_entry"]
                ids["orders_entry"] += 1
                rows["orders_entry"].append((
                    entry_id, seller.pk, order_id, line_id, slot,
                    "TID-" + scramble(entry_id, 10, 1_000_000_007), secrets.token_urlsafe(24),
                    "valid" if paid else "pending", None, None, 0))
            if paid:
                payment_id = ids["payments_payment"]
                ids["payments_payment"] += 1
                tx = (f"pi_{scramble(payment_id, 12, 998_244_353).lower()}"
                      if payment_id % 3 else f"P24-{payment_id:010d}")
                rows["payments_payment"].append((
                    payment_id, seller.pk, order_id, "stripe" if payment_id % 3 else "p24",
                    tx, total_price, seller.currency, "confirmed", 0, created,
                    created + timedelta(minutes=2)))
            if rng.random() < 0.2:
                answer_id = ids["orders_orderanswer"]
                ids["orders_orderanswer"] += 1
                plate = f"{rng.choice(('KR', 'WA', 'GD', 'PO'))} {rng.randrange(10**5):05d}"
                rows["orders_orderanswer"].append((answer_id, order_id, "Car plate", plate))
        with raw.cursor() as copy_cursor:
            for table, table_rows in rows.items():
                if table_rows:
                    with copy_cursor.copy(f"COPY {table} ({cols[table]}) FROM STDIN") as copy:
                        for row in table_rows:
                            copy.write_row(row)
        raw.commit()
        done += n
        print(f"  {done:,} orders ({time.perf_counter() - t0:.0f} s)", flush=True)
    with raw.cursor() as copy_cursor, copy_cursor.copy(
            "COPY orders_surnamekey (seller_id, key) FROM STDIN") as copy:
        for seller_id, key in sorted(surname_keys):
            copy.write_row((seller_id, key))
    raw.commit()
    for table in cols:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT MAX(id) FROM {table}))")
    cursor.execute("ANALYZE")
    print(f"wrote {total:,} orders, {2 * total:,} entries, {len(customer_info):,} customers, "
          f"{len(surname_keys):,} surnames in {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
