"""Refund eligibility (SPEC §4.3) as pure rules: items in, a decision with reasons out.

Decided when a refund is requested and shown to both sides; processing later does not
re-check the windows. The customer is bound by every term of the product; the seller only
by their own (longer) window — a seller may refund a non-refundable or used item as a
goodwill gesture, and the reasons say so."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _


class RequestedBy(StrEnum):
    CUSTOMER = "customer"
    SELLER = "seller"


@dataclass(frozen=True)
class Terms:
    """A product's refund terms with the seller's defaults filled in."""

    customer_days: int = 60
    seller_days: int = 90
    non_refundable: bool = False
    until_hours_before: int | None = None  # refundable until N hours before the time slot
    fee_fixed: int = 0  # minor units, per item
    fee_percent: int = 0  # 0–100, of the item's price
    no_refund_when_used: bool = True


@dataclass(frozen=True)
class Item:
    """Something that can be refunded: an entry, or a line without entries."""

    key: str  # "entry:TID-…" or "line:42"
    label: str  # what the customer recognizes, e.g. "TID-7K3M9QXD2A Museum entry"
    price: int  # minor units this item was paid with
    sold_at: datetime  # when it was paid (for a subscription: the last invoice)
    terms: Terms
    slot_start: datetime | None = None
    used: bool = False
    refunded: bool = False  # already refunded or void


@dataclass(frozen=True)
class ItemDecision:
    key: str
    allowed: bool
    amount: int  # refund for this item after the fee
    fee: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    amount: int  # total to refund, after fees; never more than what is left to refund
    fee: int
    reasons: tuple[str, ...]
    items: tuple[ItemDecision, ...]


def item_fee(item: Item) -> int:
    fee = item.terms.fee_fixed + item.price * item.terms.fee_percent // 100
    return min(fee, item.price)


def decide_item(item: Item, *, by: RequestedBy, now: datetime,
                format_amount=str) -> ItemDecision:
    terms, no, notes = item.terms, [], []
    if item.refunded:
        no.append(_("%(item)s was already refunded.") % {"item": item.label})
    days = terms.customer_days if by == RequestedBy.CUSTOMER else terms.seller_days
    if now > item.sold_at + timedelta(days=days):
        no.append(_("%(item)s was bought more than %(days)s days ago.")
                  % {"item": item.label, "days": days})
    if by == RequestedBy.CUSTOMER:
        if terms.non_refundable:
            no.append(_("%(item)s is non-refundable.") % {"item": item.label})
        if item.used and terms.no_refund_when_used:
            no.append(_("%(item)s has already been used.") % {"item": item.label})
        if (terms.until_hours_before is not None and item.slot_start is not None
                and now > item.slot_start - timedelta(hours=terms.until_hours_before)):
            no.append(_("%(item)s could be refunded until %(hours)s hours before it starts.")
                      % {"item": item.label, "hours": terms.until_hours_before})
    else:
        if terms.non_refundable:
            notes.append(_("%(item)s is non-refundable for customers; you may still refund "
                           "it.") % {"item": item.label})
        if item.used:
            notes.append(_("%(item)s has already been used.") % {"item": item.label})
    if no:
        return ItemDecision(item.key, False, 0, 0, tuple(no))
    fee = item_fee(item) if by == RequestedBy.CUSTOMER else 0
    if fee:
        notes.append(_("A refund fee of %(fee)s applies to %(item)s.")
                     % {"fee": format_amount(fee), "item": item.label})
    return ItemDecision(item.key, True, item.price - fee, fee, tuple(notes))


def decide(items: list[Item], *, by: RequestedBy, now: datetime, refundable_left: int,
           format_amount=str) -> Eligibility:
    """Whether `items` may be refunded now, how much, and why (in the customer's words).
    `refundable_left`: what was paid and not yet refunded on the order."""
    if not items:
        return Eligibility(False, 0, 0, (_("Choose what to refund."),), ())
    decisions = [decide_item(item, by=by, now=now, format_amount=format_amount)
                 for item in items]
    allowed = [d for d in decisions if d.allowed]
    amount = min(sum(d.amount for d in allowed), max(refundable_left, 0))
    reasons = tuple(r for d in decisions for r in d.reasons)
    if not allowed:
        return Eligibility(False, 0, 0, reasons, tuple(decisions))
    if amount <= 0:
        return Eligibility(False, 0, 0, (*reasons, _("Nothing is left to refund.")),
                           tuple(decisions))
    if amount < sum(d.amount for d in allowed):
        reasons += (_("The refund is limited to what is left of the payment: %(amount)s.")
                    % {"amount": format_amount(amount)},)
    return Eligibility(True, amount, sum(d.fee for d in allowed), reasons, tuple(decisions))
