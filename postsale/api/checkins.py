"""Check-in for gate devices (SPEC §9): scan, undo, upload offline scans, occupancy of a
time slot, and a slot's entries for offline scanning. Every write goes through
`postsale.checkin.services`, the same services as the back office's scanner page."""

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import Query, Router, Status

from postsale.api.auth import actor_of, require_scope
from postsale.api.checkin_schemas import (
    BatchIn,
    BatchOut,
    CheckInId,
    CheckInIn,
    CheckInOut,
    DaySlotsOut,
    OccupancyOut,
    SyncPageOut,
    TimeSlotId,
    checkin_out,
    occupancy_out,
    sync_page_out,
)
from postsale.api.errors import errors
from postsale.checkin.models import ScanResult
from postsale.checkin.selectors import (
    active_use,
    entries_changed,
    occupancies,
    occupancy,
    slots_of_day,
    time_slot_get,
    uses_of,
)
from postsale.checkin.services import Scan, checkin_batch, checkin_scan, checkin_undo
from postsale.core import clock

router = Router(tags=["check-in"])

SLOT_NOT_FOUND = "`time_slot_not_found`: no time slot with this id for this token's seller."
SCAN_ERRORS, SCAN_DOCS = errors(
    400, 401, 403, 413, 422,
    e422="`invalid`: bad input (`fields`), e.g. an empty `secret` or control characters. "
         "`nonce_reused`: the `nonce` was used before for another code. An unknown code is "
         "not an error: it is recorded with the result `unknown`.")
SCAN_DOCS["responses"] |= {201: {"description": "The scan was recorded; `result` says "
                                                "whether to let the holder in. A repeat "
                                                "with the same `nonce` returns the stored "
                                                "check-in."}}
UNDO_ERRORS, UNDO_DOCS = errors(
    401, 403, 404, 409, 422,
    e404="`checkin_not_found`: no check-in with this id for this token's seller.",
    e409="`not_undoable`: only a check-in with the result `ok` can be undone.",
    e422="Not a check-in id.")
BATCH_ERRORS, BATCH_DOCS = errors(
    400, 401, 403, 413, 422,
    e422="`invalid`: bad input (`fields`), e.g. more than 500 scans, a scan without "
         "`nonce` or `scanned_at`, or one nonce for two different scans. `nonce_reused`: a "
         "nonce was uploaded before for another code. Nothing of the upload was stored.")
OCCUPANCY_ERRORS, OCCUPANCY_DOCS = errors(401, 403, 404, 422, e404=SLOT_NOT_FOUND,
                                          e422="Not a time slot id.")
ENTRIES_ERRORS, ENTRIES_DOCS = errors(
    401, 403, 404, 422, 503, e404=SLOT_NOT_FOUND,
    e422="Not a time slot id, `limit` outside 1–5000, or a `cursor` we did not issue.",
    e503="`busy`: the slot's entries kept changing for several seconds; nothing is lost, "
         "ask again.")


def _tz(token) -> ZoneInfo:
    return ZoneInfo(token.seller.time_zone)


@router.post("/checkins", response={201: CheckInOut, **SCAN_ERRORS}, openapi_extra=SCAN_DOCS,
             summary="Scan an entry (idempotent by nonce)")
def scan(request: HttpRequest, body: CheckInIn):
    """Checks the code in now: `ok` marks the entry used — of two gates scanning one code at
    the same moment exactly one gets `ok` — and every scan is stored, whatever its result.
    Needs the `checkins:write` scope."""
    token = require_scope(request, "checkins:write")
    checkin = checkin_scan(seller=token.seller, actor=actor_of(token), scan=Scan(
        secret=body.secret, gate=body.gate, device=body.device, nonce=body.nonce,
        time_slot_id=body.time_slot))
    use = active_use(checkin.entry) if checkin.result == ScanResult.ALREADY_USED else None
    return Status(201, checkin_out(checkin, use=use, tz=_tz(token)))


@router.post("/checkins/{id}/undo", response={200: CheckInOut, **UNDO_ERRORS},
             openapi_extra=UNDO_DOCS, summary="Undo a check-in")
def undo(request: HttpRequest, id: CheckInId):
    """Takes back a successful check-in (let in by mistake): the entry is valid again.
    Audited; undoing twice changes nothing more. Needs the `checkins:write` scope."""
    token = require_scope(request, "checkins:write")
    checkin = checkin_undo(seller=token.seller, checkin_id=id, actor=actor_of(token))
    return Status(200, checkin_out(checkin, use=None, tz=_tz(token)))


@router.post("/checkins/batch", response={200: BatchOut, **BATCH_ERRORS},
             openapi_extra=BATCH_DOCS, summary="Upload scans made offline")
def batch(request: HttpRequest, body: BatchIn):
    """Scans a device made without a connection, with the time of each. The earliest scan
    of an entry is the one that let somebody in, whichever device uploads first: a later
    scan is recorded as `already_used`, also one recorded before the earlier scan arrived.
    Uploading the same scans again (same nonces) returns them as stored. Needs the
    `checkins:write` scope."""
    token = require_scope(request, "checkins:write")
    checkins = checkin_batch(seller=token.seller, actor=actor_of(token), scans=[
        Scan(secret=s.secret, nonce=s.nonce, scanned_at=s.scanned_at, device=body.device,
             gate=body.gate if s.gate is None else s.gate, time_slot_id=s.time_slot)
        for s in body.scans])
    uses, tz = uses_of([c.entry for c in checkins if c.entry]), _tz(token)
    return Status(200, {"items": [checkin_out(c, use=uses.get(c.entry_id), tz=tz)
                                  for c in checkins]})


SLOTS_ERRORS, SLOTS_DOCS = errors(401, 403, 422, e422="`date` is not a date (YYYY-MM-DD).")


@router.get("/time-slots", response={200: DaySlotsOut, **SLOTS_ERRORS},
            openapi_extra=SLOTS_DOCS, summary="A day's time slots")
def day_slots(request: HttpRequest,
              date: Annotated[dt.date | None, Query(
                  description="YYYY-MM-DD in the seller's time zone; default: today "
                              "there.")] = None):
    """The time slots a gate admits on a day, with their occupancy: what a device shows to
    pick its slot, and the ids for downloading entries. Needs the `checkins:read` scope."""
    token = require_scope(request, "checkins:read")
    day = date or clock.now().astimezone(_tz(token)).date()
    return Status(200, {"date": day, "items": [
        occupancy_out(o) for o in occupancies(slots_of_day(seller=token.seller, day=day))]})


@router.get("/time-slots/{id}/occupancy", response={200: OccupancyOut, **OCCUPANCY_ERRORS},
            openapi_extra=OCCUPANCY_DOCS, summary="Occupancy of a time slot")
def slot_occupancy(request: HttpRequest, id: TimeSlotId):
    """Capacity, sold, checked in, and the rest, counted now. Needs the `checkins:read`
    scope."""
    token = require_scope(request, "checkins:read")
    return Status(200, occupancy_out(occupancy(time_slot_get(seller=token.seller,
                                                             slot_id=id))))


@router.get("/time-slots/{id}/entries", response={200: SyncPageOut, **ENTRIES_ERRORS},
            openapi_extra=ENTRIES_DOCS, summary="Download a time slot's entries")
def slot_entries(
    request: HttpRequest, id: TimeSlotId,
    cursor: str | None = Query(None, max_length=60,
                               description="The `cursor` of your last download: only what "
                                           "changed since. Omitted: every entry."),
    limit: int = Query(1000, ge=1, le=5000),
):
    """For scanning offline: the slot's entries with their secrets and status (every status,
    so a device can say `refunded_or_void` or `not_paid` by itself). Keep the `cursor` and
    send it next time to get only the changes — payments, refunds, exchanges, check-ins at
    other gates. Needs the `checkins:read` scope."""
    token = require_scope(request, "checkins:read")
    slot = time_slot_get(seller=token.seller, slot_id=id)
    return Status(200, sync_page_out(entries_changed(slot=slot, cursor=cursor, limit=limit)))
