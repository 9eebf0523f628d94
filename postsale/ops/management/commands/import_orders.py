import argparse
import sys
import textwrap
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from postsale.core import clock
from postsale.core.audit import Actor
from postsale.core.errors import DomainError
from postsale.orders.csv_import import (
    ANSWER_PREFIX,
    COLUMNS,
    PendingOrder,
    RowProblem,
    SellerSlotFinder,
    build_drafts,
    group_rows,
    problems_from_error,
    read_rows,
)
from postsale.payments.services import order_submit
from postsale.sellers.models import Seller

# Orders per transaction. Each order is a savepoint inside it, so a bad order is rolled
# back alone; committing in batches instead of per order is what makes 10,000 rows fast.
# Small enough that SQLite's write lock is never held for long (web and worker wait).
BATCH_SIZE = 50


class _Formatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


def _columns_help() -> str:
    width = max(len(name) for name, _req, _help in COLUMNS) + 4

    def item(name: str, flag: str, text: str) -> str:
        return textwrap.fill(str(text), 88, initial_indent=f"  {name:<{width}}{flag} ",
                             subsequent_indent=" " * (width + 4))

    return "\n".join([
        _("Columns (a header row names them; * = required, the others may be left out):"),
        *(item(name, "*" if required else " ", text) for name, required, text in COLUMNS),
        item(ANSWER_PREFIX + "<question>", " ",
             _("optional, repeatable: a checkout answer, e.g. answer:Company")),
        "",
        textwrap.fill(_("One row per order line; rows with the same channel and external_id "
                        "form one order and may be anywhere in the file. An order whose rows "
                        "have errors is not imported at all; the others are. Example: "
                        "docs/import-orders-example.csv."), 88),
        "",
        textwrap.fill(_("Exit status: 0 when every row was imported or had been imported "
                        "before; 1 when some rows were not imported (each is listed with its "
                        "line number and the reason); 2 when the file could not be read "
                        "(nothing was imported)."), 88),
    ])


@dataclass
class _Outcome:
    created: int = 0
    existing: int = 0
    failed: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def fail(self, problems: list[RowProblem]) -> None:
        self.failed += 1
        self.problems += problems


class Command(BaseCommand):
    help = gettext_lazy("Import orders from a CSV file: `postsale import-orders FILE.csv --seller SLUG`. "
            "Orders go through the same checks as the API; importing a file again does not "
            "duplicate its orders.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("epilog", _columns_help())
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("CSV file: UTF-8, separated by commas or "
                                           "semicolons, with a header row."))
        parser.add_argument("--seller", required=True, help=_("Slug of the seller."))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("Check every row against products, time slots and "
                                   "orders already imported, then roll back: nothing is "
                                   "stored and no e-mail is sent."))
        parser.add_argument("--notify", action="store_true",
                            help=_("Send the receipt and entries e-mails for imported paid "
                                   "orders. Off by default: imported orders were usually "
                                   "delivered by the system they come from."))

    def handle(self, *args, file, seller, dry_run, notify, verbosity, **options):
        seller_obj = Seller.objects.filter(slug=seller).first()
        if seller_obj is None:
            raise CommandError(_("No seller with slug %(slug)r.") % {"slug": seller},
                               returncode=2)
        orders = self._read(Path(file), seller_obj)
        outcome = _Outcome()
        for pending in orders:
            if pending.problems:
                outcome.fail(pending.problems)
        ready = [p for p in orders if p.draft is not None]
        # The progress bar writes to the real stderr stream; Django's wrapper would add a
        # newline to every update.
        stream = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(total=len(ready), unit=_("order"), file=stream, disable=verbosity < 1,
                  dynamic_ncols=True) as progress:
            self._submit(seller_obj, ready, outcome, dry_run=dry_run, notify=notify,
                         actor=Actor("import", Path(file).name[:50]), progress=progress)
        self._report(outcome, rows=sum(len(p.lines) for p in orders), dry_run=dry_run)

    def _read(self, path: Path, seller: Seller) -> list[PendingOrder]:
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                _header, rows = read_rows(stream)
                orders = group_rows(rows)
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {
                "file": path, "error": exc.strerror or exc}, returncode=2) from None
        except UnicodeDecodeError:
            raise CommandError(_("%(file)s is not UTF-8 text; save it as CSV UTF-8.")
                               % {"file": path}, returncode=2) from None
        except DomainError as exc:
            details = " ".join(exc.field_errors.values())
            raise CommandError(f"{exc.message} {details}", returncode=2) from None
        build_drafts(orders, time_zone=seller.time_zone, now=clock.now(),
                     find_slot=SellerSlotFinder(seller))
        return orders

    def _submit(self, seller: Seller, orders: list[PendingOrder], outcome: _Outcome, *,
                dry_run: bool, notify: bool, actor: Actor, progress: tqdm) -> None:
        # A dry run does all the work inside one transaction and rolls it back, so it
        # reports what a real run would: full time slots, duplicates, unknown products.
        with transaction.atomic() if dry_run else nullcontext():
            for start in range(0, len(orders), BATCH_SIZE):
                with transaction.atomic():
                    for pending in orders[start:start + BATCH_SIZE]:
                        self._submit_one(seller, pending, outcome, actor=actor,
                                         notify=notify)
                        progress.update()
            if dry_run:
                transaction.set_rollback(True)

    @staticmethod
    def _submit_one(seller: Seller, pending: PendingOrder, outcome: _Outcome, *,
                    actor: Actor, notify: bool) -> None:
        try:
            # order_submit is atomic: inside the batch it is a savepoint, so a refused
            # order leaves nothing behind and the batch goes on.
            _order, created = order_submit(seller=seller, draft=pending.draft, actor=actor,
                                           source="import", notify=notify)
        except DomainError as exc:
            outcome.fail(problems_from_error(pending, exc))
        except (IntegrityError, DataError) as exc:
            outcome.fail([RowProblem(line, _("could not be stored: %(error)s")
                                     % {"error": exc}) for line in pending.lines])
        else:
            if created:
                outcome.created += 1
            else:
                outcome.existing += 1

    def _report(self, outcome: _Outcome, *, rows: int, dry_run: bool) -> None:
        for problem in sorted(outcome.problems, key=lambda p: p.line):
            self.stdout.write(str(problem))
        failed_rows = len(outcome.problems)
        counts = {"rows": rows, "created": outcome.created, "existing": outcome.existing,
                  "failed": outcome.failed, "failed_rows": failed_rows}
        if dry_run:
            summary = _("Dry run, nothing was stored. %(rows)s rows: %(created)s orders would "
                        "be created, %(existing)s already imported, %(failed)s would fail "
                        "(%(failed_rows)s rows).") % counts
        else:
            summary = _("%(rows)s rows: %(created)s orders created, %(existing)s already "
                        "imported, %(failed)s failed (%(failed_rows)s rows).") % counts
        self.stdout.write(summary, style_func=self.style.WARNING if failed_rows
                          else self.style.SUCCESS)
        if failed_rows:
            raise CommandError(_("%(n)s rows were not imported (listed above). Fix them and "
                                 "import the file again: orders already imported are not "
                                 "duplicated.") % {"n": failed_rows}, returncode=1)
