"""Request and response bodies of the check-in API, and the one place a check-in, an
occupancy and a slot's entries become response dicts."""

from datetime import date as date_
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from ninja import Path, Schema
from pydantic import Field

from postsale.api.schemas import MAX_ID, In, Moment, text
from postsale.checkin.messages import headline, scan_message
from postsale.checkin.models import CheckIn
from postsale.checkin.selectors import Occupancy, SyncPage

ResultName = Literal["ok", "already_used", "not_paid", "refunded_or_void", "wrong_time_slot",
                     "unknown"]
MethodName = Literal["scan", "offline", "manual"]
EntryStatusName = Literal["pending", "valid", "used", "void"]
TimeSlotId = Annotated[int, Path(ge=1, le=MAX_ID, description="The TimeSlot id.")]
CheckInId = Annotated[int, Path(ge=1, le=MAX_ID, description="The check-in's `id`.")]

RESULTS = ("`ok`: let in (the entry is now used); `already_used`: somebody came in with it "
           "before (`first_use` says when and where); `not_paid`: its order awaits "
           "payment; `refunded_or_void`: refunded, exchanged or canceled; "
           "`wrong_time_slot`: valid, but not now (see the grace settings) or not at a gate "
           "admitting that time slot; `unknown`: no entry of this seller has the code.")
QR_CODE = "What the QR code holds: the entry's secret."
NONCE = ("Your id for this scan (a UUID), unique per seller: a repeat with it returns the "
         "stored check-in, as it is now, instead of scanning again.")
GATE = "Where: a name people recognize (\"North gate\"); shown as the place of a first use."
DEVICE = "Which device scanned, for your records."
GATE_SLOT = ("Admit only entries of this time slot (the gate's check-in list); omitted: any "
             "entry, each within its own time slot's window.")


class CheckInIn(In):
    secret: text(500, min_length=1) = Field(description=QR_CODE)
    nonce: text(64, min_length=1) | None = Field(None, description=NONCE)
    gate: text(100) = Field("", description=GATE)
    device: text(100) = Field("", description=DEVICE)
    time_slot: int | None = Field(None, ge=1, le=MAX_ID, description=GATE_SLOT)


class OfflineScanIn(In):
    secret: text(500, min_length=1) = Field(description=QR_CODE)
    nonce: text(64, min_length=1) = Field(description=NONCE)
    scanned_at: Moment = Field(description="When the device scanned it (UTC if no offset). "
                                           "A time in the future counts as now.")
    gate: text(100) | None = Field(None, description="Empty: the upload's `gate`.")
    time_slot: int | None = Field(None, ge=1, le=MAX_ID, description=GATE_SLOT)


class BatchIn(In):
    device: text(100) = Field("", description=DEVICE)
    gate: text(100) = Field("", description=GATE)
    scans: list[OfflineScanIn] = Field(min_length=1, max_length=500,
                                       description="At most 500 per upload.")


class SlotOut(Schema):
    id: int
    product: str = Field(description="The product's code (sku).")
    product_name: str
    starts_at: datetime
    ends_at: datetime


class CheckInEntryOut(Schema):
    number: str = Field(description="TID-…")
    status: EntryStatusName = Field(description="After this scan.")
    product: str = Field(description="The product's code (sku).")
    product_name: str
    order: str = Field(description="PID-…")
    time_slot: SlotOut | None
    used_at: datetime | None


class FirstUseOut(Schema):
    id: int = Field(description="The check-in that let somebody in with this entry.")
    at: datetime
    gate: str
    device: str
    method: MethodName


class CheckInOut(Schema):
    id: int = Field(description="Use it to undo a successful check-in.")
    result: ResultName = Field(description=RESULTS)
    headline: str = Field(description="The result in a few words, for the gate's screen, in "
                                      "the request's language (`Accept-Language`).")
    message: str = Field(description="What to do or to know, in one sentence.")
    nonce: str | None
    method: MethodName = Field(description="`scan` (online), `offline` (uploaded later) or "
                                           "`manual` (staff marked it by hand).")
    gate: str
    device: str
    scanned_at: datetime
    undone_at: datetime | None = Field(description="Set when a successful check-in was "
                                                   "undone.")
    entry: CheckInEntryOut | None = Field(description="Null for `unknown`.")
    first_use: FirstUseOut | None = Field(description="For `already_used`: when and where the "
                                                      "entry was used.")


class BatchOut(Schema):
    items: list[CheckInOut] = Field(description="One per scan sent, in the same order. "
                                                "Scans already uploaded come back as "
                                                "stored.")


class OccupancyOut(Schema):
    time_slot: SlotOut
    capacity: int
    sold: int = Field(description="Paid entries: `valid` + `used`.")
    used: int = Field(description="Checked in.")
    valid: int = Field(description="Paid, not checked in yet.")
    pending: int = Field(description="Held by orders awaiting payment.")
    void: int = Field(description="Refunded, exchanged, canceled or expired.")
    left: int = Field(description="Places still for sale.")


class DaySlotsOut(Schema):
    date: date_ = Field(description="The day, in the seller's time zone.")
    items: list[OccupancyOut] = Field(description="The day's time slots (starting or "
                                                  "running that day), earliest first, with "
                                                  "their occupancy now.")


class SyncEntryOut(Schema):
    number: str = Field(description="TID-…")
    secret: str = Field(description=QR_CODE + " Keep it on the device only.")
    status: EntryStatusName
    used_at: datetime | None
    order: str = Field(description="PID-…")


class SyncPageOut(Schema):
    items: list[SyncEntryOut] = Field(description="Entries changed after `cursor`, oldest "
                                                  "change first; replace what you have.")
    cursor: str = Field(description="Send it as `cursor` next time: you get only what "
                                    "changed since.")
    more: bool = Field(description="True: more changes are waiting; ask again at once.")


def slot_out(slot, product=None) -> dict:
    """`product`: the slot's product when the caller has it loaded already."""
    product = product or slot.product
    return {"id": slot.pk, "product": product.sku, "product_name": product.name,
            "starts_at": slot.starts_at, "ends_at": slot.ends_at}


def checkin_out(checkin: CheckIn, *, use: CheckIn | None, tz: ZoneInfo) -> dict:
    """`checkin.entry` with its slot, order and line product loaded; `use`: the entry's
    active check-in, needed for `already_used`."""
    entry = checkin.entry
    return {
        "id": checkin.pk, "result": checkin.result, "headline": headline(checkin.result),
        "message": scan_message(checkin, use=use, tz=tz), "nonce": checkin.nonce,
        "method": checkin.method, "gate": checkin.gate, "device": checkin.device,
        "scanned_at": checkin.scanned_at, "undone_at": checkin.undone_at,
        "entry": None if entry is None else {
            "number": entry.number, "status": entry.status, "product": entry.line.product.sku,
            "product_name": entry.line.product.name, "order": entry.order.number,
            "time_slot": slot_out(entry.time_slot, entry.line.product) if entry.time_slot
            else None,
            "used_at": entry.used_at},
        "first_use": None if use is None or checkin.result != "already_used" else {
            "id": use.pk, "at": use.scanned_at, "gate": use.gate, "device": use.device,
            "method": use.method},
    }


def occupancy_out(o: Occupancy) -> dict:
    return {"time_slot": slot_out(o.slot), "capacity": o.capacity, "sold": o.sold,
            "used": o.used, "valid": o.valid, "pending": o.pending, "void": o.void,
            "left": o.left}


def sync_page_out(page: SyncPage) -> dict:
    return {"items": [{"number": e.number, "secret": e.secret, "status": e.status,
                       "used_at": e.used_at, "order": e.order.number} for e in page.entries],
            "cursor": page.cursor, "more": page.more}
