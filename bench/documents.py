"""Times the customer's documents: the entries PDF by number of entries, the invoice PDF,
an Apple Wallet pass, and what the first PDF of a process costs (importing weasyprint).

    uv run --frozen python bench/documents.py [--entries 1 10 50 100] [--runs 5]

Uses a throwaway SQLite database in a temporary folder (migrated from scratch), one seller
with a development Wallet certificate, and one paid order per size, made through the
services. Prints a Markdown table of medians."""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="postsale-bench-documents-"))
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(TMP / "media")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"


def median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def first_pdf_seconds() -> float:
    """A fresh interpreter: import weasyprint and render a one-line page."""
    code = ("import time; t = time.perf_counter(); import weasyprint; "
            "weasyprint.HTML(string='<p>x</p>').write_pdf(); "
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, nargs="+", default=[1, 10, 50, 100])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from postsale.orders.documents.entries import entries_pdf, valid_entries
    from postsale.orders.documents.wallet import entry_pass
    from postsale.orders.models import ProductKind
    from postsale.orders.tests.factories import make_order, make_product, make_slot
    from postsale.payments.documents import invoice_pdf, order_invoices
    from postsale.sellers.tests.factories import make_seller
    from postsale.sellers.wallet import wallet_pass_configure_dev, wallet_signing_material

    seller = make_seller(slug="bench", name="Bench Museum")
    wallet_pass_configure_dev(seller=seller)
    material = wallet_signing_material(seller)
    product = make_product(seller, name="Museum admission", kind=ProductKind.TIMED_ENTRY)

    slot = make_slot(product, capacity=10_000)
    rows = [f"| first PDF in a new process (import weasyprint + render) | — | "
            f"{first_pdf_seconds():.2f} s |"]
    for count in args.entries:
        order = make_order(seller, product, quantity=count, slot=slot, paid=True)
        entries = valid_entries(order)
        seconds, content = median_time(lambda o=order, e=entries: entries_pdf(o, e),
                                       args.runs)
        rows.append(f"| entries PDF, {count} entr{'y' if count == 1 else 'ies'} "
                    f"({len(content) // 1024} KiB) | median of {args.runs} | "
                    f"{seconds:.3f} s ({seconds / count * 1000:.0f} ms/entry) |")
    order = make_order(seller, product, quantity=2, slot=slot, paid=True)
    invoice = order_invoices(order).get()
    seconds, _ = median_time(lambda: invoice_pdf(invoice), args.runs)
    rows.append(f"| invoice PDF, one line | median of {args.runs} | {seconds:.3f} s |")
    entry = order.entries.select_related("line__product", "time_slot", "order__seller",
                                         "order__customer").first()
    seconds, content = median_time(lambda: entry_pass(entry, material), args.runs)
    rows.append(f"| Apple Wallet pass ({len(content) // 1024} KiB, signed) | "
                f"median of {args.runs} | {seconds * 1000:.1f} ms |")
    print("| what | runs | time |\n|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
