"""What a scan means: pure decisions, no database (SPEC §9).

The checks run in a fixed order, so a scan has one result whatever else is true: an
unknown code, then a void or unpaid entry, then the wrong time (or a gate admitting
another time slot), then a second use. The time comes before the second use so that an
offline scan's result does not depend on whether another device's upload of the same
entry arrived before it (services.checkin_batch)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from postsale.checkin.models import ScanResult
from postsale.orders.models import EntryStatus


@dataclass(frozen=True)
class EntryFacts:
    status: str  # EntryStatus
    slot_id: int | None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class Grace:
    """How long before its time slot starts and after it ends an entry lets people in."""

    early: timedelta
    late: timedelta

    @classmethod
    def from_settings(cls) -> "Grace":
        return cls(early=timedelta(minutes=settings.POSTSALE_CHECKIN_EARLY_MINUTES),
                   late=timedelta(minutes=settings.POSTSALE_CHECKIN_LATE_MINUTES))


# Why a scan is `wrong_time_slot`.
TOO_EARLY, TOO_LATE, OTHER_SLOT = "too_early", "too_late", "other_slot"


@dataclass(frozen=True)
class ScanDecision:
    result: str  # ScanResult
    reason: str = ""  # for wrong_time_slot: TOO_EARLY, TOO_LATE or OTHER_SLOT
    opens_at: datetime | None = None  # the entry's window, when it has one
    closes_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.result == ScanResult.OK


def decide_scan(entry: EntryFacts | None, *, at: datetime, grace: Grace | None,
                gate_slot_id: int | None = None) -> ScanDecision:
    """The result of scanning `entry` at `at`. `grace` None: no time check (staff marking
    an entry by hand). `gate_slot_id`: the gate admits only this time slot."""
    if entry is None:
        return ScanDecision(ScanResult.UNKNOWN)
    if entry.status == EntryStatus.VOID:
        return ScanDecision(ScanResult.REFUNDED_OR_VOID)
    if entry.status == EntryStatus.PENDING:
        return ScanDecision(ScanResult.NOT_PAID)
    opens_at = closes_at = None
    if grace is not None and entry.starts_at is not None:
        opens_at, closes_at = entry.starts_at - grace.early, entry.ends_at + grace.late
    if gate_slot_id is not None and entry.slot_id != gate_slot_id:
        return ScanDecision(ScanResult.WRONG_TIME_SLOT, OTHER_SLOT, opens_at, closes_at)
    if opens_at is not None and at < opens_at:
        return ScanDecision(ScanResult.WRONG_TIME_SLOT, TOO_EARLY, opens_at, closes_at)
    if closes_at is not None and at > closes_at:
        return ScanDecision(ScanResult.WRONG_TIME_SLOT, TOO_LATE, opens_at, closes_at)
    if entry.status == EntryStatus.USED:
        return ScanDecision(ScanResult.ALREADY_USED, "", opens_at, closes_at)
    return ScanDecision(ScanResult.OK, "", opens_at, closes_at)


def precedes(a: tuple[datetime, str, int], b: tuple[datetime, str, int]) -> bool:
    """Of two scans of one entry, (scanned_at, nonce, id), is `a` the earlier? Ties on the
    time are broken by the nonce, which comes with the scan, so the winner does not depend
    on which upload arrived first."""
    return a < b
