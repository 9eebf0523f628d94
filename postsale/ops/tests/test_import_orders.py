import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from postsale.core import clock
from postsale.core.contact import normalize_email
from postsale.core.errors import Invalid
from postsale.orders.csv_import import (
    COLUMN_NAMES,
    PendingOrder,
    build_drafts,
    group_rows,
    parse_time,
    problems_from_error,
    read_rows,
)
from postsale.orders.models import EntryStatus, Order, OrderLine, OrderStatus, ProductKind
from postsale.orders.tests.factories import make_product, make_slot
from postsale.payments.models import Payment

HEADER = list(COLUMN_NAMES)


def row(external_id: str, product: str = "museum-open", **values) -> dict[str, str]:
    base = {"channel": "web-shop", "external_id": external_id, "currency": "PLN",
            "email": f"{external_id.lower()}@example.com", "first_name": "Anna",
            "last_name": "Kowalska", "phone": "+48 601 234 567", "language": "pl",
            "product": product, "quantity": "2"}
    return {**base, **values}


def write_csv(path, rows: list[dict[str, str]], header: list[str] = HEADER) -> str:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def run_import(path: str, *args: str, seller: str = "acme") -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import_orders", path, "--seller", seller, *args, stdout=out,
                     stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


@pytest.fixture
def catalog(seller):
    """An open entry, a download and a timed entry with one slot a week ahead."""
    timed = make_product(seller, sku="museum-timed", kind=ProductKind.TIMED_ENTRY, price=4500)
    return {"open": make_product(seller, sku="museum-open", price=4000),
            "guide": make_product(seller, sku="audio-guide", kind=ProductKind.DIGITAL,
                                  price=1500),
            "timed": timed, "slot": make_slot(timed, capacity=5)}


def email_error(address: str) -> str:
    with pytest.raises(Invalid) as exc:
        normalize_email(address)
    return exc.value.field_errors["email"]


def local(slot) -> str:
    return slot.starts_at.astimezone(ZoneInfo("Europe/Warsaw")).strftime("%Y-%m-%d %H:%M")


def test_rows_become_paid_orders_with_entries_customer_and_answers(
        seller, catalog, tmp_path, django_capture_on_commit_callbacks):
    path = write_csv(tmp_path / "orders.csv", [
        row("A-1", created_at="2026-03-29 09:30", payment_provider="manual",
            payment_transaction_id="KASA-1"),
        row("A-2", "museum-timed", time_slot=local(catalog["slot"]), quantity="3",
            unit_price="2900", language="it", phone="+39 347 123 4567",
            payment_provider="stripe", payment_transaction_id="ch_1", payment_status="pending"),
        row("A-3", "audio-guide", quantity="1", phone="", language=""),
    ], header=[*HEADER, "answer:Company"])
    with django_capture_on_commit_callbacks(execute=True):
        code, out = run_import(path, "--notify")
    assert code == 0, out
    assert "3 rows: 3 orders created, 0 already imported, 0 failed (0 rows)." in out

    paid = Order.objects.get(external_id="A-1")
    assert paid.status == OrderStatus.PAID and paid.total == 8000
    # A naive created_at is the seller's local time (CEST starts that night).
    assert paid.created_at.isoformat() == "2026-03-29T07:30:00+00:00"
    assert set(paid.entries.values_list("status", flat=True)) == {EntryStatus.VALID}
    assert paid.customer.phone == "+48601234567" and paid.language == "pl"
    assert Payment.objects.get(order=paid).provider_transaction_id == "KASA-1"

    timed = Order.objects.get(external_id="A-2")
    assert timed.status == OrderStatus.AWAITING_PAYMENT and timed.total == 3 * 2900
    assert timed.language == "it" and timed.payments.get().status == "pending"
    assert {e.time_slot_id for e in timed.entries.all()} == {catalog["slot"].pk}
    assert Order.objects.get(external_id="A-3").language == seller.language
    assert {m.to[0] for m in mail.outbox} == {"a-1@example.com"}


def test_imported_paid_orders_send_no_mail_unless_asked(seller, catalog, tmp_path,
                                                        django_capture_on_commit_callbacks):
    path = write_csv(tmp_path / "orders.csv", [row(
        "Q-1", payment_provider="manual", payment_status="confirmed",
        payment_transaction_id="KASA-9")])
    with django_capture_on_commit_callbacks(execute=True):
        code, out = run_import(path)
    assert code == 0, out
    assert Order.objects.get(external_id="Q-1").status == OrderStatus.PAID
    assert mail.outbox == []


def test_rows_of_one_order_are_grouped_wherever_they_are(seller, catalog, tmp_path):
    path = write_csv(tmp_path / "orders.csv", [
        row("G-1"),
        row("G-2", "audio-guide", quantity="1"),
        row("G-1", "audio-guide", quantity="1"),
        row("G-1", "museum-timed", time_slot=str(catalog["slot"].pk), quantity="1"),
    ])
    code, out = run_import(path)
    assert code == 0, out
    order = Order.objects.get(external_id="G-1")
    assert [(line.product.sku, line.quantity) for line in order.lines.all()] == [
        ("museum-open", 2), ("audio-guide", 1), ("museum-timed", 1)]
    assert order.total == 8000 + 1500 + 4500
    assert "4 rows: 2 orders created" in out


def test_bad_rows_are_reported_by_line_and_reason_and_nothing_is_written_for_them(
        seller, catalog, tmp_path):
    path = tmp_path / "orders.csv"
    write_csv(path, [
        row("OK-1"),                                                   # line 2
        row("B-1", "no-such-product"),                                 # line 3
        row("B-2", email="anna@@example"),                             # line 4
        row("B-3", quantity="two"),                                    # line 5
        row("B-4", quantity="0"),                                      # line 6
        row("B-5", currency="EUR"),                                    # line 7
        row("B-6", "museum-timed", time_slot=local(catalog["slot"]),   # line 8
            quantity="6"),
        row("B-7", email=""),                                          # line 9
        row("B-8", "museum-timed", time_slot="2030-01-01 10:00"),      # line 10
        row("B-9", created_at="2999-01-01"),                           # line 11
        row("B-10", unit_price="12.50"),                               # line 12
        row("OK-2", "audio-guide", quantity="1"),                      # line 13
    ])
    with path.open("a") as f:
        f.write("web-shop,B-11,too,few\n")                             # line 14
    code, out = run_import(str(path))
    assert code == 1
    report = [line for line in out.splitlines() if line.startswith("line ")]
    assert report == [
        "line 3: product: No product with code 'no-such-product' is on sale.",
        f"line 4: email: {email_error('anna@@example')}",
        "line 5: quantity: 'two' is not a whole number, e.g. 2.",
        "line 6: quantity: Quantity must be 1–100.",
        "line 7: product: museum-open is priced in PLN, the order is in EUR. Send the "
        "order in PLN.",
        "line 8: quantity: Only 5 places left in this time slot.",
        "line 9: email: required.",
        "line 10: time_slot: no time slot of museum-timed starts at 2030-01-01 10:00 "
        "(Europe/Warsaw).",
        "line 11: created_at: is in the future.",
        "line 12: unit_price: '12.50' is not a whole number of minor units, e.g. 1250 for "
        "12.50.",
        "line 14: expected 16 values (one per header column), found 4; check the commas and "
        "quotes",
    ]
    assert "13 rows: 2 orders created, 0 already imported, 11 failed (11 rows)." in out
    assert "11 rows were not imported" in out
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["OK-1", "OK-2"]
    assert catalog["slot"].entries.count() == 0


def test_one_bad_line_keeps_its_whole_order_out(seller, catalog, tmp_path):
    path = write_csv(tmp_path / "orders.csv", [
        row("M-1"), row("OK-1"), row("M-1", "nope"), row("M-1", "audio-guide", quantity="1"),
        row("M-2", "audio-guide", quantity="1"),
        row("M-2", "audio-guide", quantity="1", email="someone.else@example.com"),
    ])
    code, out = run_import(path)
    assert code == 1
    report = [line for line in out.splitlines() if line.startswith("line ")]
    assert report == [
        "line 2: not imported: line 4 of the same order (web-shop/M-1) has errors.",
        "line 4: product: No product with code 'nope' is on sale.",
        "line 5: not imported: line 4 of the same order (web-shop/M-1) has errors.",
        "line 6: not imported: line 7 of the same order (web-shop/M-2) has errors.",
        "line 7: email: differs from line 6 of the same order; the rows of one order must "
        "agree on everything but the line columns.",
    ]
    assert list(Order.objects.values_list("external_id", flat=True)) == ["OK-1"]


def test_a_row_with_a_stray_comma_keeps_its_whole_order_out(seller, catalog, tmp_path):
    path = tmp_path / "orders.csv"
    write_csv(path, [row("S-1"), row("OK-1")])
    with path.open("a") as f:
        f.write("web-shop,S-1,,PLN,s-1@example.com,Anna,Kowalska,,pl,audio-guide,1,,1,5,0\n")
    code, out = run_import(str(path))
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith("line ")] == [
        "line 2: not imported: line 4 of the same order (web-shop/S-1) has errors.",
        "line 4: expected 16 values (one per header column), found 15; check the commas and "
        "quotes",
    ]
    assert list(Order.objects.values_list("external_id", flat=True)) == ["OK-1"]


def test_semicolon_separated_files_from_spreadsheets_are_read(seller, catalog, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("\ufeffchannel;external_id;currency;email;product;quantity;unit_price\n"
                    "web-shop;X-1;PLN;jan@example.com;museum-open;1;3500\n", encoding="utf-8")
    code, out = run_import(str(path))
    assert code == 0, out
    assert Order.objects.get(external_id="X-1").total == 3500


def test_a_file_without_required_columns_imports_nothing(seller, catalog, tmp_path):
    header = [c for c in HEADER if c not in ("email", "quantity")] + ["quantiy"]
    path = write_csv(tmp_path / "orders.csv", [], header=header)
    code, out = run_import(path)
    assert code == 2
    assert "Missing columns: email, quantity." in out and "Unknown columns: quantiy" in out
    code, out = run_import(str(tmp_path / "missing.csv"))
    assert code == 2 and "Cannot read" in out
    code, out = run_import(path, seller="nobody")
    assert code == 2 and "No seller with slug 'nobody'" in out
    (tmp_path / "empty.csv").write_text("")
    code, out = run_import(str(tmp_path / "empty.csv"))
    assert code == 2 and "The file is empty" in out
    assert not Order.objects.exists()


def test_importing_the_same_file_again_creates_nothing(seller, catalog, tmp_path):
    rows = [row("R-1", payment_provider="manual", payment_transaction_id="T-1"),
            row("R-2"), row("R-2", "audio-guide", quantity="1")]
    path = write_csv(tmp_path / "orders.csv", rows)
    assert run_import(path)[0] == 0
    code, out = run_import(path)
    assert code == 0
    assert "3 rows: 0 orders created, 2 already imported, 0 failed (0 rows)." in out
    assert Order.objects.count() == 2 and Payment.objects.count() == 1

    rows[0]["quantity"] = "5"  # the same external id with other content
    code, out = run_import(write_csv(tmp_path / "changed.csv", rows))
    assert code == 1
    assert "line 2: Order " in out and "with different content" in out
    assert Order.objects.get(external_id="R-1").total == 8000


def test_another_sellers_products_and_slots_cannot_be_imported(
        seller, other_seller, catalog, tmp_path):
    make_product(other_seller, sku="theirs")
    their_slot = make_slot(make_product(other_seller, sku="their-timed",
                                        kind=ProductKind.TIMED_ENTRY))
    path = write_csv(tmp_path / "orders.csv", [
        row("T-1", "theirs"),
        row("T-2", "museum-timed", time_slot=str(their_slot.pk)),
        row("T-3", "their-timed", time_slot=local(their_slot)),
    ])
    code, out = run_import(path)
    assert code == 1
    assert "line 2: product: No product with code 'theirs' is on sale." in out
    assert "line 3: time_slot: museum-timed needs a time slot of that product" in out
    assert "line 4: product: No product with code 'their-timed' is on sale." in out
    assert not Order.objects.exists()
    # The other seller can import them.
    code, out = run_import(write_csv(tmp_path / "theirs.csv", [row("T-1", "theirs")]),
                           seller="other")
    assert code == 0 and Order.objects.get().seller == other_seller


def test_dry_run_reports_like_a_real_run_and_stores_nothing(
        seller, catalog, tmp_path, django_capture_on_commit_callbacks):
    path = write_csv(tmp_path / "orders.csv", [
        row("D-1", payment_provider="manual", payment_transaction_id="T-1"),
        row("D-2", "museum-timed", time_slot=local(catalog["slot"]), quantity="3"),
        row("D-3", "museum-timed", time_slot=local(catalog["slot"]), quantity="3"),
    ])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        code, out = run_import(path, "--dry-run")
    assert code == 1
    assert "line 4: quantity: Only 2 places left in this time slot." in out
    assert "Dry run, nothing was stored. 3 rows: 2 orders would be created" in out
    assert not Order.objects.exists() and not callbacks and not mail.outbox


def test_ten_thousand_rows_with_three_bad_ones(seller, catalog, tmp_path):
    path, bad, order_count = write_big_csv(tmp_path / "big.csv", rows=10_000)
    code, out = run_import(path)
    assert code == 1
    report = [line for line in out.splitlines() if line.startswith("line ")]
    assert report == [
        "line 1234: product: No product with code 'museum-opn' is on sale.",
        f"line 5000: email: {email_error('jan.kowalski@')}",
        "line 9876: quantity: Quantity must be 1–100.",
    ]
    assert bad == [1234, 5000, 9876]
    orders = Order.objects.filter(seller=seller)
    assert orders.count() == order_count - 3
    assert (f"10000 rows: {order_count - 3} orders created, 0 already imported, 3 failed "
            "(3 rows).") in out
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    paid = ({r["external_id"] for r in rows if r["payment_provider"]}
            - {rows[line - 2]["external_id"] for line in bad})
    assert set(orders.filter(status=OrderStatus.PAID).values_list("external_id", flat=True)) \
        == paid
    assert OrderLine.objects.filter(order__seller=seller).count() == 10_000 - 3


def write_big_csv(path, *, rows: int, sizes=(1, 2, 3, 2),
                  paid_percent: int = 10) -> tuple[str, list[int], int]:
    """`rows` rows; orders have 1, 2, 3, 2, 1 … lines (museum-open, audio-guide, a
    reduced museum-open), `paid_percent` of them paid. Lines 1234, 5000 and 9876 are
    single-line orders with an error. Returns the path, the bad lines and the order count.
    Also used to measure the import (see the final report of the CSV import issue)."""
    today = clock.now().date()
    bad = {1234: {"product": "museum-opn"}, 5000: {"email": "jan.kowalski@"},
           9876: {"quantity": "1000"}}
    lines = [{}, {"product": "audio-guide", "quantity": "1"}, {"unit_price": "2900"}]
    out: list[dict[str, str]] = []
    order = 0
    while len(out) < rows:
        order += 1
        first = len(out) + 2
        size = 1 if first in bad else sizes[order % len(sizes)]
        size = next((n for n in range(size, 0, -1)
                     if not any(first < b < first + n for b in bad)), 1)
        ext = f"SHOP-{order:06d}"
        common = {"created_at": f"{today - timedelta(days=order % 60)} 12:{order % 60:02d}",
                  "email": f"customer{order % 3000}@example.com",
                  **bad.get(first, {})}
        if order % 100 < paid_percent:
            common |= {"payment_provider": "stripe", "payment_transaction_id": f"ch_{order}"}
        for extra in lines[:size]:
            out.append(row(ext, **{"quantity": str(1 + order % 2), **extra, **common}))
    out = out[:rows]
    return write_csv(path, out), sorted(bad), len({r["external_id"] for r in out})


def test_group_rows_and_drafts_without_the_command():
    stream = io.StringIO("channel,external_id,currency,email,product,quantity\n"
                         "web-shop,X-1,PLN,a@example.com,p,1\n"
                         "\n"
                         'web-shop,X-1,PLN,a@example.com,"q\nr",2\n'
                         ",X-2,PLN,a@example.com,p,1\n")
    _header, rows = read_rows(stream)
    orders = group_rows(rows)
    assert [(o.label, o.lines) for o in orders] == [("web-shop/X-1", [2, 4]), ("/X-2", [6])]
    assert orders[1].problems[0].message == "channel: required; it tells which order the row " \
                                            "belongs to."
    build_drafts(orders, time_zone="Europe/Warsaw", now=clock.now(),
                 find_slot=lambda sku, start: None)
    assert [line.product for line in orders[0].draft.lines] == ["p", "q\nr"]


def test_service_errors_land_on_the_lines_they_are_about():
    pending = PendingOrder("web-shop", "X", lines=[3, 7, 9])
    problems = problems_from_error(pending, Invalid("bad", {
        "lines[1].quantity": "Only 2 places left.", "customer.phone": "Wrong digits."}))
    assert [str(p) for p in problems] == [
        "line 3: phone: Wrong digits.",
        "line 7: quantity: Only 2 places left.; phone: Wrong digits.",
        "line 9: phone: Wrong digits.",
    ]


def test_times_without_an_offset_are_the_sellers_local_time():
    tz = ZoneInfo("Europe/Warsaw")
    assert parse_time("2026-07-01 10:00", tz).isoformat() == "2026-07-01T10:00:00+02:00"
    assert parse_time("2026-01-01T10:00:00Z", tz).isoformat() == "2026-01-01T10:00:00+00:00"
    with pytest.raises(ValueError):
        parse_time("01/07/2026", tz)
