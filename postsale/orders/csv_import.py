"""Orders from a CSV file: read the rows, check them, group them into order drafts.

Plain functions and no writes: the `import-orders` command submits each draft through
`order_submit`. One row is one order line; rows with the same (channel, external_id) form
one order, wherever they are in the file. The columns are documented in COLUMNS and in
docs/import-orders-example.csv. Line numbers are the file's physical lines: the header is
line 1.
"""

import csv
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from postsale.core.errors import DomainError, Invalid
from postsale.orders.drafts import CustomerDraft, LineDraft, OrderDraft, PaymentDraft
from postsale.orders.models import Product, ProductKind, TimeSlot

# (column, required, what it holds). The order of the example file and of the help text.
COLUMNS = (
    ("channel", True, _lazy("sales channel code, e.g. web-shop")),
    ("external_id", True, _lazy("the channel's order id; rows sharing channel and "
                                "external_id are one order, wherever they are in the file; "
                                "importing it again changes nothing")),
    ("created_at", False, _lazy("when the order was placed, ISO 8601; without an offset it "
                                "is the seller's local time; empty: now")),
    ("currency", True, _lazy("ISO 4217, e.g. PLN: the products' currency")),
    ("email", True, _lazy("the customer's e-mail address")),
    ("first_name", False, _lazy("the customer's first name")),
    ("last_name", False, _lazy("the customer's surname")),
    ("phone", False, _lazy("international (+48 601 234 567), or national to the seller's "
                           "country")),
    ("language", False, _lazy("en, pl, it, he or uk; empty: the seller's language")),
    ("product", True, _lazy("product code (sku)")),
    ("quantity", True, _lazy("1–100")),
    ("time_slot", False, _lazy("timed entries only: the slot's start in ISO 8601 (without "
                               "an offset: the seller's local time), or the slot's id")),
    ("unit_price", False, _lazy("minor units (1250 = 12.50); empty: the product's price")),
    ("payment_provider", False, _lazy("a payment the channel already took: provider, "
                                      "e.g. manual; empty: the order awaits payment")),
    ("payment_transaction_id", False, _lazy("the provider's transaction id (required with "
                                            "payment_provider)")),
    ("payment_status", False, _lazy("confirmed (default), pending or failed")),
)
COLUMN_NAMES = tuple(name for name, _required, _help in COLUMNS)
REQUIRED = frozenset(name for name, required, _help in COLUMNS if required)
ANSWER_PREFIX = "answer:"  # extra columns "answer:Company" hold checkout answers
# Columns that describe the order, not the line: every row of an order must agree on them.
ORDER_COLUMNS = ("created_at", "currency", "email", "first_name", "last_name", "phone",
                 "language", "payment_provider", "payment_transaction_id", "payment_status")
PAYMENT_STATUSES = ("confirmed", "pending", "failed")
# Longest accepted values, as in the API (longer ones would not fit the database).
MAX_LENGTHS = {"channel": 50, "external_id": 100, "email": 254, "first_name": 100,
               "last_name": 100, "phone": 32, "product": 64, "payment_provider": 32,
               "payment_transaction_id": 128}
MAX_ANSWER_LENGTH = 500
MAX_UNIT_PRICE = 2**31 - 1  # what OrderLine.unit_price holds on every database

# Field paths of the order services' errors → the CSV column that holds the value.
_ORDER_FIELD_COLUMNS = {"channel": "channel", "currency": "currency",
                        "customer.email": "email", "customer.phone": "phone",
                        "customer.language": "language", "status": "payment_status",
                        "answers": "answer:…"}
_LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class PendingOrder:
    """The rows of one order. `draft` is None when a row could not be read."""

    channel: str
    external_id: str
    lines: list[int] = field(default_factory=list)  # CSV line of each row, in file order
    rows: list[dict[str, str]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    draft: OrderDraft | None = None

    @property
    def label(self) -> str:
        return f"{self.channel}/{self.external_id}"


# Finds a time slot id by product code and start: None when the product is unknown or
# not a timed entry (the service explains those), raises Invalid when no slot matches.
SlotFinder = Callable[[str, datetime], int | None]


def read_rows(stream: Iterable[str]) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The checked header, and (line number, values by column) for every non-empty row.
    Commas or semicolons (what a spreadsheet in a Polish or Italian locale writes), told
    apart by the header. Raises Invalid when the header cannot be used: then nothing
    should be imported."""
    lines = iter(stream)
    first = next(lines, "")
    if not first.strip():
        raise Invalid(_("The file is empty or starts with an empty line."),
                      {"header": _("Put the header row on the first line.")},
                      code="invalid_csv")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    header = [name.strip() for name in next(reader)]
    check_header(header)
    return header, _rows(reader, header)


_UNREADABLE = "__unreadable__"  # a row whose values do not match the header


def _rows(reader, header: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    end = reader.line_num
    for values in reader:
        start, end = end + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            # Keep what tells its order apart, so the rest of that order is held back too.
            known = {name: value.strip() for name, value in zip(header, values, strict=False)
                     if name in ("channel", "external_id")}
            yield start, {**known, _UNREADABLE: _(
                "expected %(expected)s values (one per header column), found %(found)s; "
                "check the commas and quotes") % {"expected": len(header),
                                                  "found": len(values)}}
            continue
        yield start, {name: value.strip() for name, value in zip(header, values, strict=True)}


def check_header(header: list[str]) -> None:
    errors = {}
    missing = [name for name in COLUMN_NAMES if name in REQUIRED and name not in header]
    if missing:
        errors["missing"] = _("Missing columns: %(names)s.") % {"names": ", ".join(missing)}
    unknown = [name for name in header
               if name not in COLUMN_NAMES and not name.startswith(ANSWER_PREFIX)]
    if unknown:
        errors["unknown"] = _("Unknown columns: %(names)s (known: %(known)s, and "
                              "answer:<question>).") % {"names": ", ".join(unknown),
                                                        "known": ", ".join(COLUMN_NAMES)}
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        errors["repeated"] = _("Repeated columns: %(names)s.") % {"names": ", ".join(repeated)}
    if errors:
        raise Invalid(_("The header row cannot be used; nothing was imported."), errors,
                      code="invalid_csv")


def group_rows(rows: Iterable[tuple[int, dict[str, str]]]) -> list[PendingOrder]:
    """Rows sharing (channel, external_id) become one order, in order of first appearance.
    A row without either is an order of its own that fails with a problem."""
    orders: dict[tuple[str, str], PendingOrder] = {}
    alone: list[PendingOrder] = []
    for line, values in rows:
        key = (values.get("channel", ""), values.get("external_id", ""))
        if not all(key):
            missing = [name for name, value in zip(("channel", "external_id"), key,
                                                   strict=True) if not value]
            message = values.get(_UNREADABLE) or _(
                "%(columns)s: required; it tells which order the row belongs to.") % {
                "columns": ", ".join(missing)}
            alone.append(PendingOrder(*key, [line], [values], [RowProblem(line, message)]))
            continue
        pending = orders.setdefault(key, PendingOrder(*key))
        pending.lines.append(line)
        pending.rows.append(values)
    return [*orders.values(), *alone]


def build_drafts(orders: Iterable[PendingOrder], *, time_zone: str, now: datetime,
                 find_slot: SlotFinder) -> None:
    """Fill in each order's draft, or its problems when a row cannot be read."""
    tz = ZoneInfo(time_zone)
    for pending in orders:
        if pending.problems:
            continue
        unreadable = {line: [values[_UNREADABLE]]
                      for line, values in zip(pending.lines, pending.rows, strict=True)
                      if _UNREADABLE in values}
        if unreadable:
            pending.problems = _problems(pending, unreadable)
            continue
        try:
            pending.draft = build_draft(pending, tz=tz, now=now, find_slot=find_slot)
        except _RowsInvalid as exc:
            pending.problems = exc.problems


class _RowsInvalid(Exception):
    def __init__(self, problems: list[RowProblem]):
        self.problems = problems


def build_draft(pending: PendingOrder, *, tz: ZoneInfo, now: datetime,
                find_slot: SlotFinder) -> OrderDraft:
    by_line: dict[int, list[str]] = {}
    first = pending.rows[0]
    for line, values in zip(pending.lines[1:], pending.rows[1:], strict=True):
        differ = [c for c in (*ORDER_COLUMNS, *_answer_columns(first, values))
                  if values.get(c, "") != first.get(c, "")]
        if differ:
            by_line.setdefault(line, []).append(_(
                "%(columns)s: differs from line %(first)s of the same order; the rows of "
                "one order must agree on everything but the line columns.")
                % {"columns": ", ".join(differ), "first": pending.lines[0]})
    lines: list[LineDraft] = []
    for line, values in zip(pending.lines, pending.rows, strict=True):
        try:
            lines.append(parse_line(values, tz=tz, find_slot=find_slot))
        except Invalid as exc:
            by_line.setdefault(line, []).extend(_messages(exc.field_errors))
    try:
        draft = parse_order(first, lines=lines, tz=tz, now=now)
    except Invalid as exc:
        for line in pending.lines:
            by_line.setdefault(line, []).extend(_messages(exc.field_errors))
        draft = None
    if by_line or draft is None:
        raise _RowsInvalid(_problems(pending, by_line))
    return draft


def _messages(field_errors: dict[str, str]) -> list[str]:
    return [f"{column}: {message}" for column, message in field_errors.items()]


def _problems(pending: PendingOrder, by_line: dict[int, list[str]]) -> list[RowProblem]:
    """One problem per row of the order: its own messages, or that it was skipped because
    other rows of its order are wrong."""
    bad = ", ".join(str(line) for line in sorted(by_line))
    return [RowProblem(line, "; ".join(by_line[line])) if line in by_line else
            RowProblem(line, _("not imported: line %(lines)s of the same order (%(order)s) "
                               "has errors.") % {"lines": bad, "order": pending.label})
            for line in pending.lines]


def _answer_columns(*rows: dict[str, str]) -> set[str]:
    return {c for row in rows for c in row if c.startswith(ANSWER_PREFIX)}


def parse_order(values: dict[str, str], *, lines: list[LineDraft], tz: ZoneInfo,
                now: datetime) -> OrderDraft:
    """The order-level columns of a row. Raises Invalid with errors by column."""
    errors: dict[str, str] = {}
    _check_lengths(values, ("channel", "external_id", *ORDER_COLUMNS), errors)
    for name in ("currency", "email"):
        if not values.get(name):
            errors[name] = _("required.")
    created_at = None
    if values.get("created_at"):
        try:
            created_at = parse_time(values["created_at"], tz)
        except ValueError:
            errors["created_at"] = _("use ISO 8601, e.g. 2026-05-04 14:30 or "
                                     "2026-05-04T14:30:00+02:00.")
        else:
            if created_at > now:
                errors["created_at"] = _("is in the future.")
    language = values.get("language", "").lower()
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        errors["language"] = _("use one of %(codes)s, or leave it empty.") % {
            "codes": ", ".join(code for code, _name in settings.LANGUAGES)}
    answers = {}
    for column, answer in values.items():
        if column.startswith(ANSWER_PREFIX) and answer:
            if len(answer) > MAX_ANSWER_LENGTH:
                errors[column] = _("at most %(n)s characters.") % {"n": MAX_ANSWER_LENGTH}
            answers[column.removeprefix(ANSWER_PREFIX).strip()] = answer
    payment = _parse_payment(values, errors)
    if errors:
        raise Invalid(_("The order cannot be read."), errors)
    return OrderDraft(
        channel=values["channel"], external_id=values["external_id"],
        currency=values["currency"].upper(), created_at=created_at, answers=answers,
        customer=CustomerDraft(email=values["email"], first_name=values.get("first_name", ""),
                               last_name=values.get("last_name", ""),
                               phone=values.get("phone", ""), language=language),
        lines=lines, payment=payment)


def _parse_payment(values: dict[str, str], errors: dict[str, str]) -> PaymentDraft | None:
    provider = values.get("payment_provider", "")
    transaction_id = values.get("payment_transaction_id", "")
    status = values.get("payment_status", "").lower()
    if not (provider or transaction_id or status):
        return None
    if not provider:
        errors["payment_provider"] = _("required when a payment is given.")
    if not transaction_id:
        errors["payment_transaction_id"] = _("required when a payment is given.")
    if status and status not in PAYMENT_STATUSES:
        errors["payment_status"] = _("use one of %(statuses)s, or leave it empty "
                                     "(confirmed).") % {"statuses": ", ".join(PAYMENT_STATUSES)}
    return PaymentDraft(provider=provider, transaction_id=transaction_id,
                        status=status or "confirmed")


def parse_line(values: dict[str, str], *, tz: ZoneInfo, find_slot: SlotFinder) -> LineDraft:
    """The line columns of a row. Raises Invalid with errors by column."""
    errors: dict[str, str] = {}
    _check_lengths(values, ("product",), errors)
    product = values.get("product", "")
    if not product:
        errors["product"] = _("required.")
    quantity = _whole_number(values.get("quantity", ""), "quantity", errors, required=True,
                             hint=_("a whole number, e.g. 2."))
    unit_price = _whole_number(values.get("unit_price", ""), "unit_price", errors,
                               hint=_("a whole number of minor units, e.g. 1250 for 12.50."))
    if unit_price is not None and unit_price > MAX_UNIT_PRICE:
        errors["unit_price"] = _("at most %(n)s.") % {"n": MAX_UNIT_PRICE}
    time_slot = None
    raw_slot = values.get("time_slot", "")
    if raw_slot and product:
        if raw_slot.isdigit():
            time_slot = int(raw_slot)
        else:
            try:
                time_slot = find_slot(product, parse_time(raw_slot, tz))
            except ValueError:
                errors["time_slot"] = _("use the slot's start in ISO 8601 (e.g. "
                                        "2026-05-04 14:00) or its numeric id.")
            except Invalid as exc:
                errors.update(exc.field_errors)
    if errors:
        raise Invalid(_("The line cannot be read."), errors)
    return LineDraft(product=product, quantity=quantity, time_slot=time_slot,
                     unit_price=unit_price)


def _whole_number(raw: str, column: str, errors: dict[str, str], *, hint: str,
                  required: bool = False) -> int | None:
    if not raw:
        if required:
            errors[column] = _("required; %(hint)s") % {"hint": hint}
        return None
    try:
        return int(raw)
    except ValueError:
        errors[column] = _("%(value)r is not %(hint)s") % {"value": raw, "hint": hint}
        return None


def _check_lengths(values: dict[str, str], columns: Iterable[str],
                   errors: dict[str, str]) -> None:
    for column in columns:
        limit = MAX_LENGTHS.get(column)
        if limit and len(values.get(column, "")) > limit:
            errors[column] = _("at most %(n)s characters.") % {"n": limit}


def parse_time(value: str, tz: ZoneInfo) -> datetime:
    """ISO 8601; without an offset it is local time in `tz`. Raises ValueError."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def problems_from_error(pending: PendingOrder, exc: DomainError) -> list[RowProblem]:
    """Put a service's error on the CSV lines it is about: a line's field on that row, an
    order's field on every row of the order."""
    if not exc.field_errors:
        return [RowProblem(line, exc.message) for line in pending.lines]
    by_line: dict[int, list[str]] = {}
    for path, message in exc.field_errors.items():
        match = _LINE_FIELD.match(path)
        if match and int(match[1]) < len(pending.lines):
            by_line.setdefault(pending.lines[int(match[1])], []).append(
                f"{match[2]}: {message}")
        else:
            column = _ORDER_FIELD_COLUMNS.get(path, path)
            for line in pending.lines:
                by_line.setdefault(line, []).append(f"{column}: {message}")
    return _problems(pending, by_line)


class SellerSlotFinder:
    """Time slots of one seller's timed entries by product code and start, loaded once per
    product: an import of thousands of rows makes one query per product, not per row."""

    def __init__(self, seller):
        self.seller = seller
        self._kinds = dict(Product.objects.filter(seller=seller).values_list("sku", "kind"))
        self._slots: dict[str, dict[datetime, int]] = {}

    def __call__(self, sku: str, starts_at: datetime) -> int | None:
        kind = self._kinds.get(sku)
        if kind is None:
            return None  # the service reports the unknown product
        if kind != ProductKind.TIMED_ENTRY:
            raise Invalid(_("No time slots."), {"time_slot": _(
                "%(sku)s has no time slots; leave it empty.") % {"sku": sku}})
        if sku not in self._slots:
            self._slots[sku] = dict(TimeSlot.objects.filter(
                product__seller=self.seller, product__sku=sku).values_list("starts_at", "pk"))
        slot_id = self._slots[sku].get(starts_at)
        if slot_id is None:
            raise Invalid(_("No such time slot."), {"time_slot": _(
                "no time slot of %(sku)s starts at %(start)s (%(zone)s).") % {
                "sku": sku, "start": starts_at.astimezone(ZoneInfo(self.seller.time_zone))
                .strftime("%Y-%m-%d %H:%M"), "zone": self.seller.time_zone}})
        return slot_id
