"""Reads at the gate: the check-in that let an entry's holder in, occupancy per time slot,
a slot's entries for a device's offline download, and finding an entry by what door
staff have at hand."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from postsale.checkin.models import CheckIn, ScanResult
from postsale.core.errors import Invalid, NotFound
from postsale.orders.models import Entry, EntryStatus, ProductKind, TimeSlot
from postsale.orders.sync import sync_horizon
from postsale.sellers.models import Seller

MAX_ID = 2**63 - 1


def active_use(entry: Entry | None, *, lock: bool = False) -> CheckIn | None:
    """The check-in that let the entry's holder in (not undone); None if none did."""
    if entry is None:
        return None
    qs = CheckIn.objects.filter(entry=entry, result=ScanResult.OK, undone_at__isnull=True)
    if lock:
        qs = qs.select_for_update()
    return qs.order_by("scanned_at", "id").first()


def time_slot_get(*, seller: Seller, slot_id: int) -> TimeSlot:
    slot = (TimeSlot.objects.select_related("product")
            .filter(pk=slot_id, product__seller=seller).first())
    if slot is None:
        raise NotFound(f"No time slot {slot_id} for this seller.", code="time_slot_not_found")
    return slot


@dataclass(frozen=True)
class Occupancy:
    slot: TimeSlot
    pending: int  # held by orders awaiting payment
    valid: int  # paid, not in yet
    used: int  # in
    void: int

    @property
    def sold(self) -> int:
        return self.valid + self.used

    @property
    def capacity(self) -> int:
        return self.slot.capacity

    @property
    def left(self) -> int:
        """Places still for sale: every entry that is not void holds one."""
        return max(self.capacity - self.sold - self.pending, 0)


_COUNTS = {status: Count("id", filter=Q(status=status)) for status in EntryStatus.values}


def occupancy(slot: TimeSlot) -> Occupancy:
    counts = Entry.objects.filter(time_slot=slot).aggregate(**_COUNTS)
    return Occupancy(slot=slot, **counts)


def occupancies(slots: list[TimeSlot]) -> list[Occupancy]:
    """Occupancy of several slots in one query."""
    rows = {row.pop("time_slot"): row for row in Entry.objects.filter(time_slot__in=slots)
            .values("time_slot").order_by().annotate(**_COUNTS)}
    empty = dict.fromkeys(EntryStatus.values, 0)
    return [Occupancy(slot=s, **rows.get(s.pk, empty)) for s in slots]


def slots_of_day(*, seller: Seller, day: date) -> list[TimeSlot]:
    """The seller's time slots starting on `day` (in the seller's time zone), or running
    then."""
    tz = ZoneInfo(seller.time_zone)
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return list(TimeSlot.objects.select_related("product")
                .filter(product__seller=seller, product__kind=ProductKind.TIMED_ENTRY,
                        starts_at__lt=end, ends_at__gt=start)
                .order_by("starts_at", "product__name", "pk"))


# Offline download.

@dataclass(frozen=True)
class SyncPage:
    entries: list[Entry]
    cursor: str  # what to send next time
    more: bool  # True: ask again at once with `cursor`


_CURSOR = re.compile(r"[0-9]{1,19}\.[0-9]{1,19}")


def _cursor(version: int, pk: int) -> str:
    return f"{version}.{pk}"


def _parse_cursor(cursor: str | None) -> tuple[int, int]:
    if not cursor:
        return -1, MAX_ID
    try:
        if not _CURSOR.fullmatch(cursor):
            raise ValueError(cursor)
        version, pk = (int(part) for part in cursor.split("."))
        if not (version <= MAX_ID and pk <= MAX_ID):
            raise ValueError(cursor)
    except ValueError:
        raise Invalid("Bad cursor.", {"cursor": "Send the cursor of the previous answer "
                                                "unchanged, or none for everything."}) from None
    return version, pk


def entries_changed(*, slot: TimeSlot, cursor: str | None, limit: int) -> SyncPage:
    """The slot's entries changed after `cursor` (all of them without one), oldest change
    first, with the cursor to send next. Entries come with their order (for the number)."""
    version, pk = _parse_cursor(cursor)
    horizon = sync_horizon(slot.pk)  # first: waits for changes of this slot in flight
    after = Q(sync_version__gt=version) | Q(sync_version=version, pk__gt=pk)
    rows = list(Entry.objects.filter(after, time_slot=slot, sync_version__lte=horizon)
                .select_related("order").only("number", "secret", "status", "used_at",
                                              "sync_version", "order__number")
                .order_by("sync_version", "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if more:
        return SyncPage(rows, _cursor(rows[-1].sync_version, rows[-1].pk), True)
    return SyncPage(rows, _cursor(max(horizon, version), MAX_ID), False)


# Finding an entry.

def entry_lookup(*, seller: Seller, q: str, slot: TimeSlot | None = None,
                 limit: int = 20) -> QuerySet[Entry]:
    """Entries door staff find by entry number (TID-…), order number (PID-…) or the secret
    (the QR code's text); within one time slot when given. Exact matches only: each uses a
    unique index."""
    q = q.strip()
    qs = (Entry.objects.filter(seller=seller)
          .select_related("order__customer", "time_slot", "line__product"))
    if slot is not None:
        qs = qs.filter(time_slot=slot)
    prefix = q[:4].upper()
    if prefix == "TID-":
        qs = qs.filter(number=q.upper())
    elif prefix == "PID-":
        qs = qs.filter(order__number=q.upper())
    elif q and len(q) <= 64:
        qs = qs.filter(secret=q)
    else:
        qs = qs.none()
    return qs.order_by("pk")[:limit]


def slot_entries(*, slot: TimeSlot, status: str | None = None) -> QuerySet[Entry]:
    """The occupancy list: a slot's entries with their order and customer."""
    qs = (Entry.objects.filter(time_slot=slot)
          .select_related("order__customer", "line__product").order_by("pk"))
    if status:
        qs = qs.filter(status=status)
    return qs


def uses_of(entries) -> dict[int, CheckIn]:
    """The active check-in of each entry (for "in at 10:05, gate A"), in one query."""
    uses = (CheckIn.objects.filter(entry__in=[e.pk for e in entries], result=ScanResult.OK,
                                   undone_at__isnull=True).order_by("scanned_at", "id"))
    found: dict[int, CheckIn] = {}
    for use in uses:
        found.setdefault(use.entry_id, use)
    return found
