"""Exchange rules (SPEC §4.4) as pure functions: facts about an entry and the time slot it
should move to in, a quote with reasons in the customer's words out.

The customer is bound by the product's policy (exchanges close N hours before the entry's
time slot; the exchange fee). The seller is not: an agent may move an entry at the last
minute and waive the fee, and the notes say so. Nobody can move an entry that is not
valid, into a time that has started, into another product outside the exchange group, or
into a full time slot."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from postsale.orders.models import EntryStatus
from postsale.payments.rules import RequestedBy

SLOT_FULL = "slot_full"
NOT_EXCHANGEABLE = "not_exchangeable"


@dataclass(frozen=True)
class EntryFacts:
    label: str  # what the customer recognizes: "TID-7K3M9QXD2A Museum entry"
    status: str  # an EntryStatus value
    product_id: int
    group: str  # the product's exchange group; "" for none
    slot_id: int | None
    slot_start: datetime | None
    price: int  # what this entry was paid with (its line's unit price)
    currency: str
    until_hours_before: int | None  # the product's exchange cut-off, for customers
    fee: int  # the product's exchange fee, for customers
    busy: str = ""  # "exchange" or "refund" when one is already under way


@dataclass(frozen=True)
class SlotFacts:
    slot_id: int
    product_id: int
    group: str
    starts_at: datetime
    price: int  # the target product's price now
    currency: str
    places_left: int


@dataclass(frozen=True)
class Quote:
    allowed: bool
    code: str  # "" when allowed; else slot_full (the only obstacle) or not_exchangeable
    reasons: tuple[str, ...]  # why not, or notes (fee, what is charged or refunded)
    old_price: int
    new_price: int
    fee: int
    difference: int  # new − old + fee: > 0 the customer pays it, < 0 it is refunded
    currency: str
    places_left: int

    @property
    def to_pay(self) -> int:
        return max(self.difference, 0)

    @property
    def to_refund(self) -> int:
        return max(-self.difference, 0)


def _state_reasons(entry: EntryFacts) -> list[str]:
    label = {"entry": entry.label}
    if entry.status == EntryStatus.USED:
        return [_("%(entry)s has already been used.") % label]
    if entry.status == EntryStatus.VOID:
        return [_("%(entry)s is no longer valid.") % label]
    if entry.status == EntryStatus.PENDING:
        return [_("%(entry)s is not valid yet: the order is not paid.") % label]
    if entry.busy == "exchange":
        return [_("%(entry)s is already being exchanged. Pay the difference, or wait until "
                  "that exchange expires.") % label]
    if entry.busy == "refund":
        return [_("%(entry)s is being refunded.") % label]
    return []


def _target_reasons(entry: EntryFacts, slot: SlotFacts, now: datetime) -> list[str]:
    label = {"entry": entry.label}
    if entry.slot_id is None:
        return [_("%(entry)s is not for a particular time, so there is no other time to "
                  "change it to.") % label]
    same_group = bool(entry.group) and entry.group == slot.group
    if slot.product_id != entry.product_id and not same_group:
        return [_("%(entry)s can only be exchanged for another time of the same product.")
                % label]
    if slot.slot_id == entry.slot_id:
        return [_("%(entry)s is already for this time.") % label]
    reasons = []
    if slot.currency != entry.currency:
        reasons.append(_("The new time is sold in %(currency)s, the order was paid in "
                         "%(paid)s.") % {"currency": slot.currency, "paid": entry.currency})
    if slot.starts_at <= now:
        reasons.append(_("The new time has already started. Choose a later one."))
    return reasons


def _cut_off_reasons(entry: EntryFacts, now: datetime) -> list[str]:
    hours = entry.until_hours_before
    if hours is None or entry.slot_start is None:
        return []
    if now <= entry.slot_start - timedelta(hours=hours):
        return []
    return [_("%(entry)s could be exchanged until %(hours)s hours before it starts.")
            % {"entry": entry.label, "hours": hours}]


def decide_exchange(entry: EntryFacts, slot: SlotFacts, *, by: RequestedBy, now: datetime,
                    format_amount=str) -> Quote:
    """May `entry` move to `slot` now, at what difference, and why (customer's words)."""
    fee = entry.fee if by == RequestedBy.CUSTOMER else 0
    difference = slot.price - entry.price + fee
    no = _state_reasons(entry) or _target_reasons(entry, slot, now)
    notes: list[str] = []
    late = _cut_off_reasons(entry, now)
    if by == RequestedBy.CUSTOMER:
        no += late
    elif late:
        notes.append(_("Customers can no longer exchange it themselves; you still may."))
    full = [_("This time is full. Choose another time.")] if slot.places_left < 1 else []
    quote = {"old_price": entry.price, "new_price": slot.price, "fee": fee,
             "difference": difference, "currency": entry.currency,
             "places_left": max(slot.places_left, 0)}
    if no or full:
        return Quote(allowed=False, code=NOT_EXCHANGEABLE if no else SLOT_FULL,
                     reasons=tuple(no + full), **quote)
    if fee:
        notes.append(_("An exchange fee of %(fee)s applies.") % {"fee": format_amount(fee)})
    if difference > 0:
        notes.append(_("You pay %(amount)s more.") % {"amount": format_amount(difference)})
    elif difference < 0:
        notes.append(_("%(amount)s will be refunded the way you paid.")
                     % {"amount": format_amount(-difference)})
    else:
        notes.append(_("Nothing more to pay."))
    return Quote(allowed=True, code="", reasons=tuple(notes), **quote)
