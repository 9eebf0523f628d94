"""Writes at the gate (SPEC §9): a scan, an offline device's upload, undoing a check-in,
and staff marking an entry used or unused by hand. Every scan is stored as a CheckIn,
whatever its result; a check-in that lets somebody in, its undo, and a later upload
proving an earlier use are also audited on the entry (so the order page shows them).

Marking used is one conditional UPDATE (`… WHERE status = 'valid'`): of two gates scanning
the same code at once, the database lets exactly one change the row; the other sees the
entry used and records `already_used`. No lock is held across the decision, so scans of
different entries never wait for each other.

Offline uploads are decided so that the outcome does not depend on which device uploads
first: the earliest scan of an entry (by the device's time, ties broken by the nonce) is
the one that let somebody in; every later one is `already_used`, including a check-in
recorded before that earlier scan arrived, which is then changed to `already_used`."""

from dataclasses import dataclass, replace
from datetime import datetime

from django.db import IntegrityError, transaction

from postsale.checkin.models import CheckIn, Method, ScanResult
from postsale.checkin.rules import EntryFacts, Grace, ScanDecision, decide_scan, precedes
from postsale.checkin.selectors import active_use
from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.core.errors import Conflict, Invalid, NotFound
from postsale.orders.models import Entry, EntryStatus
from postsale.orders.sync import entries_update
from postsale.sellers.models import Seller

MAX_BATCH = 500
SECRET_MAX = 64  # Entry.secret; anything longer is no entry's


@dataclass(frozen=True)
class Scan:
    secret: str
    gate: str = ""
    device: str = ""
    nonce: str | None = None  # the device's id for the scan: repeats replay the first answer
    time_slot_id: int | None = None  # the gate admits only this time slot
    scanned_at: datetime | None = None  # offline scans: when the device scanned the code


def _entries():
    # The slot's product is the line's: one join less for the database to plan.
    return Entry.objects.select_related("time_slot", "order", "line__product")


def _one(qs) -> Entry | None:
    """The row a unique lookup finds: without `first()`'s ORDER BY, which costs planning
    and a sort on every scan."""
    return next(iter(qs.order_by()[:1]), None)


def _facts(entry: Entry | None) -> EntryFacts | None:
    if entry is None:
        return None
    slot = entry.time_slot
    return EntryFacts(status=entry.status, slot_id=entry.time_slot_id,
                      starts_at=slot.starts_at if slot else None,
                      ends_at=slot.ends_at if slot else None)


def _by_secret(seller: Seller, secret: str) -> Entry | None:
    if not secret or len(secret) > SECRET_MAX:
        return None
    return _one(_entries().filter(seller=seller, secret=secret))


def checkin_scan(*, seller: Seller, scan: Scan, actor: Actor,
                 now: datetime | None = None) -> CheckIn:
    """An online scan at `now`: the entry is marked used if the rules let it in. A repeat
    with the same nonce returns the stored check-in (another code under it: Invalid)."""
    now = now or clock.now()
    try:
        with transaction.atomic():
            entry = _by_secret(seller, scan.secret)
            return _check_in(seller, entry, scan, actor=actor, now=now, method=Method.SCAN,
                             grace=Grace.from_settings())
    except IntegrityError:
        replayed = scan.nonce and _stored(seller, [scan]).get(scan.nonce)
        if not replayed:
            raise
        return replayed


def entry_mark_used(*, seller: Seller, number: str, actor: Actor, gate: str = "",
                    now: datetime | None = None) -> CheckIn:
    """Staff let the holder of entry `number` in by hand (from a list, the order page, or
    a code typed at the scanner): the same rules as a scan but no time window — staff
    decide that."""
    now = now or clock.now()
    with transaction.atomic():
        entry = _one(_entries().filter(seller=seller, number=number))
        if entry is None:
            raise NotFound(f"No entry {number} for this seller.", code="entry_not_found")
        return _check_in(seller, entry, Scan(secret=entry.secret, gate=gate), actor=actor,
                         now=now, method=Method.MANUAL, grace=None)


def _check_in(seller: Seller, entry: Entry | None, scan: Scan, *, actor: Actor,
              now: datetime, method: str, grace: Grace | None) -> CheckIn:
    decision = decide_scan(_facts(entry), at=now, grace=grace, gate_slot_id=scan.time_slot_id)
    for _attempt in range(3):
        if not decision.ok:
            break
        marked = entries_update(Entry.objects.filter(pk=entry.pk, status=EntryStatus.VALID),
                                slot_ids=[entry.time_slot_id], status=EntryStatus.USED,
                                used_at=now)
        if marked:
            entry.status, entry.used_at = EntryStatus.USED, now
            break
        # Another gate changed it first (the UPDATE waited for its commit): decide again.
        entry.refresh_from_db(fields=["status", "used_at"])
        decision = decide_scan(_facts(entry), at=now, grace=grace,
                               gate_slot_id=scan.time_slot_id)
    else:
        decision = ScanDecision(ScanResult.ALREADY_USED)
    return _record(seller, entry, scan, decision, actor=actor, now=now, at=now, method=method)


def _record(seller: Seller, entry: Entry | None, scan: Scan, decision: ScanDecision, *,
            actor: Actor, now: datetime, at: datetime, method: str) -> CheckIn:
    checkin = CheckIn.objects.create(
        seller=seller, entry=entry, code="" if entry else scan.secret[:100],
        result=decision.result, reason=decision.reason, method=method, gate=scan.gate[:100],
        device=scan.device[:100], actor=str(actor)[:64],
        user=actor.user if actor.user and actor.user.is_authenticated else None,
        nonce=scan.nonce, scanned_at=at, created_at=now)
    checkin.entry = entry  # keep the joined slot, order and product for the answer
    if decision.ok:
        audit(seller=seller, obj=entry, action="entry.checked_in", actor=actor, now=now,
              data={"checkin": checkin.pk, "gate": checkin.gate, "device": checkin.device,
                    "method": method, "scanned_at": at.isoformat()})
    return checkin


# Offline uploads.

def checkin_batch(*, seller: Seller, scans: list[Scan], actor: Actor,
                  now: datetime | None = None) -> list[CheckIn]:
    """Scans a gate device made while offline, uploaded later, each with a nonce and its
    `scanned_at`: one check-in per scan, in the order given. Scans already uploaded (same
    nonce) are returned as stored. A nonce reused for another code is Invalid and nothing
    is stored."""
    now = now or clock.now()
    _check_batch(scans)
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _batch(seller, scans, actor=actor, now=now)
        except IntegrityError:
            # The same nonces arrived at once in another request: the second pass replays
            # what that one stored.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _check_batch(scans: list[Scan]) -> None:
    if not 1 <= len(scans) <= MAX_BATCH:
        raise Invalid(f"Send 1–{MAX_BATCH} scans per upload.",
                      {"scans": f"Send 1–{MAX_BATCH} scans; split longer uploads."})
    errors, seen = {}, {}
    for i, scan in enumerate(scans):
        if not scan.nonce or scan.scanned_at is None:
            errors[f"scans[{i}]"] = "Every offline scan needs a nonce and scanned_at."
        elif scan.nonce in seen and seen[scan.nonce] != scan:
            errors[f"scans[{i}].nonce"] = "This nonce is used by another scan in this upload."
        seen.setdefault(scan.nonce, scan)
    if errors:
        raise Invalid("The upload was not stored; fix the scans listed.", errors)


def _stored(seller: Seller, scans: list[Scan]) -> dict[str, CheckIn]:
    """Check-ins already stored under the scans' nonces; Invalid if one holds another
    code than its scan."""
    nonces = {s.nonce for s in scans if s.nonce}
    stored = {c.nonce: c for c in CheckIn.objects.select_related(
        "entry__time_slot", "entry__order", "entry__line__product").filter(
        seller=seller, nonce__in=nonces)}
    errors = {}
    for i, scan in enumerate(scans):
        checkin = stored.get(scan.nonce)
        if checkin and scan.secret != (checkin.entry.secret if checkin.entry else checkin.code):
            errors[f"scans[{i}].nonce" if len(scans) > 1 else "nonce"] = (
                "This nonce was already used for another code; send a new nonce for a new "
                "scan.")
    if errors:
        raise Invalid("A nonce was reused for another code; nothing was stored.", errors,
                      code="nonce_reused")
    return stored


def _batch(seller: Seller, scans: list[Scan], *, actor: Actor, now: datetime) -> list[CheckIn]:
    stored = _stored(seller, scans)
    fresh = {s.nonce: s for s in scans if s.nonce not in stored}
    secrets = {s.secret for s in fresh.values() if s.secret and len(s.secret) <= SECRET_MAX}
    # Locked in id order, so two uploads of overlapping entries never wait in a circle.
    entries = {e.secret: e for e in _entries().select_for_update(of=("self",))
               .filter(seller=seller, secret__in=secrets).order_by("pk")}
    grace = Grace.from_settings()
    for scan in sorted(fresh.values(), key=lambda s: (min(s.scanned_at, now), s.nonce)):
        stored[scan.nonce] = _check_in_offline(seller, entries.get(scan.secret), scan,
                                               actor=actor, now=now, grace=grace)
    return [stored[s.nonce] for s in scans]


def _check_in_offline(seller: Seller, entry: Entry | None, scan: Scan, *, actor: Actor,
                      now: datetime, grace: Grace) -> CheckIn:
    """Decide a scan made at `scan.scanned_at` (never later than now). Holding the entry's
    row lock."""
    at = min(scan.scanned_at, now)
    decision = decide_scan(_facts(entry), at=at, grace=grace, gate_slot_id=scan.time_slot_id)
    earlier_than = None
    if decision.result == ScanResult.ALREADY_USED:
        use = active_use(entry)
        if use is not None and precedes((at, scan.nonce or "", 0),
                                        (use.scanned_at, use.nonce or "", use.pk)):
            earlier_than, decision = use, replace(decision, result=ScanResult.OK)
    if decision.ok:
        entries_update(Entry.objects.filter(pk=entry.pk), slot_ids=[entry.time_slot_id],
                       status=EntryStatus.USED, used_at=at)
        entry.status, entry.used_at = EntryStatus.USED, at
    checkin = _record(seller, entry, scan, decision, actor=actor, now=now, at=at,
                      method=Method.OFFLINE)
    if earlier_than is not None:
        CheckIn.objects.filter(pk=earlier_than.pk).update(result=ScanResult.ALREADY_USED)
        audit(seller=seller, obj=entry, action="entry.checkin_superseded", actor=actor,
              now=now, data={"checkin": earlier_than.pk, "by": checkin.pk,
                             "scanned_at": earlier_than.scanned_at.isoformat(),
                             "earlier_scan_at": at.isoformat()})
    return checkin


# Undo.

def checkin_undo(*, seller: Seller, checkin_id: int, actor: Actor,
                 now: datetime | None = None) -> CheckIn:
    """Take back a check-in that let somebody in (a mistake at the gate): the entry is
    valid again. Undoing it twice changes nothing more."""
    now = now or clock.now()
    with transaction.atomic():
        found = CheckIn.objects.filter(seller=seller, pk=checkin_id).first()
        if found is None:
            raise NotFound(f"No check-in {checkin_id} for this seller.",
                           code="checkin_not_found")
        # The entry first, then the check-in: the order every writer here locks them in.
        entry = _entries().select_for_update(of=("self",)).filter(pk=found.entry_id).first()
        checkin = CheckIn.objects.select_for_update().get(pk=found.pk)
        if checkin.result != ScanResult.OK:
            raise Conflict("not_undoable",
                           f"This scan was {checkin.get_result_display().lower()} and let "
                           "nobody in; only a successful check-in can be undone.")
        if checkin.undone_at is None:
            _undo(seller, checkin, entry, actor=actor, now=now)
        checkin.entry = entry
    return checkin


def entry_mark_unused(*, seller: Seller, number: str, actor: Actor,
                      now: datetime | None = None) -> Entry:
    """Staff take back an entry's use: its check-in is undone and the entry valid again."""
    now = now or clock.now()
    with transaction.atomic():
        entry = (_entries().select_for_update(of=("self",))
                 .filter(seller=seller, number=number).first())
        if entry is None:
            raise NotFound(f"No entry {number} for this seller.", code="entry_not_found")
        if entry.status != EntryStatus.USED:
            raise Conflict("entry_not_used",
                           f"{entry.number} is {entry.get_status_display().lower()}, not used; "
                           "there is nothing to take back.")
        use = active_use(entry, lock=True)
        if use is not None:
            _undo(seller, use, entry, actor=actor, now=now)
        else:  # used without a check-in of ours (imported that way)
            entries_update(Entry.objects.filter(pk=entry.pk), slot_ids=[entry.time_slot_id],
                           status=EntryStatus.VALID, used_at=None)
            audit(seller=seller, obj=entry, action="entry.checkin_undone", actor=actor,
                  now=now, data={"checkin": None})
        entry.refresh_from_db(fields=["status", "used_at"])
    return entry


def _undo(seller: Seller, checkin: CheckIn, entry: Entry | None, *, actor: Actor,
          now: datetime) -> None:
    checkin.undone_at, checkin.undone_by = now, str(actor)[:64]
    checkin.save(update_fields=["undone_at", "undone_by"])
    # A void entry (refunded after it was used) stays void.
    if entry is not None and entry.status == EntryStatus.USED:
        entries_update(Entry.objects.filter(pk=entry.pk), slot_ids=[entry.time_slot_id],
                       status=EntryStatus.VALID, used_at=None)
        entry.status, entry.used_at = EntryStatus.VALID, None
    audit(seller=seller, obj=entry, action="entry.checkin_undone", actor=actor, now=now,
          data={"checkin": checkin.pk, "gate": checkin.gate,
                "scanned_at": checkin.scanned_at.isoformat()})
