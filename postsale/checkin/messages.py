"""What a scan result says to door staff, in their language: a headline (shown huge) and
one sentence with what to do or to know. Shared by the scanner page and the API."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postsale.checkin.models import CheckIn, Method, ScanResult
from postsale.checkin.rules import OTHER_SLOT, TOO_EARLY, TOO_LATE, Grace

HEADLINES = {
    ScanResult.OK: gettext_lazy("OK – let in"),
    ScanResult.ALREADY_USED: gettext_lazy("Already used"),
    ScanResult.NOT_PAID: gettext_lazy("Not paid"),
    ScanResult.REFUNDED_OR_VOID: gettext_lazy("Refunded or void"),
    ScanResult.WRONG_TIME_SLOT: gettext_lazy("Wrong time slot"),
    ScanResult.UNKNOWN: gettext_lazy("Unknown code"),
}


def local(moment: datetime, tz: ZoneInfo, fmt: str = "Y-m-d H:i") -> str:
    return dateformat.format(moment.astimezone(tz), fmt)


def headline(result: str) -> str:
    return str(HEADLINES[result])


def where(use: CheckIn) -> str:
    """Where a check-in happened, for people: the gate, else how."""
    if use.gate:
        return use.gate
    if use.method == Method.MANUAL:
        return _("marked by hand by %(who)s") % {"who": use.actor.removeprefix("user:")}
    if use.actor.startswith("user:"):
        return _("scanned by %(who)s") % {"who": use.actor.removeprefix("user:")}
    return use.device or use.actor


def scan_message(checkin: CheckIn, *, use: CheckIn | None, tz: ZoneInfo) -> str:
    """The sentence under the headline. `use`: the check-in that let the entry's holder
    in, for `already_used` (when, where)."""
    entry, result = checkin.entry, checkin.result
    if result == ScanResult.UNKNOWN:
        return _("No entry of this seller has this code. Check that it is a ticket for this "
                 "venue, or type the entry number (TID-…).")
    slot = entry.time_slot
    when = local(slot.starts_at, tz) if slot else ""
    names = {"number": entry.number, "product": entry.line.product.name, "when": when,
             "order": entry.order.number}
    if result == ScanResult.OK:
        if slot:
            return _("%(number)s · %(product)s · %(when)s") % names
        return _("%(number)s · %(product)s") % names
    if result == ScanResult.ALREADY_USED:
        if use is None:
            return _("%(number)s was already used.") % names
        return _("%(number)s was already used at %(at)s (%(where)s). Do not let in again.") % (
            names | {"at": local(use.scanned_at, tz), "where": where(use)})
    if result == ScanResult.NOT_PAID:
        return _("Order %(order)s is awaiting payment, so %(number)s is not valid yet.") % names
    if result == ScanResult.REFUNDED_OR_VOID:
        return _("%(number)s was refunded, exchanged or canceled; it is not valid.") % names
    return _wrong_time(checkin, names, tz)


def _wrong_time(checkin: CheckIn, names: dict, tz: ZoneInfo) -> str:
    slot = checkin.entry.time_slot
    if checkin.reason == OTHER_SLOT or slot is None:
        if slot is None:
            return _("%(number)s (%(product)s) is not for this gate's time slot.") % names
        return _("%(number)s is for %(when)s, not for this gate's time slot.") % names
    grace = Grace.from_settings()
    if checkin.reason == TOO_EARLY:
        return _("%(number)s is for %(when)s: come back from %(opens)s.") % (
            names | {"opens": local(slot.starts_at - grace.early, tz)})
    if checkin.reason == TOO_LATE:
        return _("%(number)s was for %(when)s; entry closed at %(closes)s.") % (
            names | {"closes": local(slot.ends_at + grace.late, tz)})
    return _("%(number)s is for %(when)s.") % names
