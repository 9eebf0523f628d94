"""The ticket timers (SPEC §4.1, §4.2) as pure functions of a ticket's facts and its
seller's calendar: what the next automatic step is and when it is due."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from postsale.core.calendar import BusinessCalendar

SAVE_THE_SALE = timedelta(hours=24)  # business time a customer's request waits
SELLER_GRACE = timedelta(minutes=5)  # wall-clock time to abort a seller-opened request
# Waiting on the seller: warnings at +48 h and +96 h, closed at not_before_business(+144 h).
SELLER_WARNINGS = (timedelta(hours=48), timedelta(hours=96))
SELLER_CLOSE = timedelta(hours=144)
# Waiting on the customer: warning after 7 business days, closed after 14.
CUSTOMER_WARNING_DAYS = 7
CUSTOMER_CLOSE_DAYS = 14

REQUEST_TYPES = frozenset({"refund", "cancellation"})
# Types the system may close; return and exchange only while they wait on the customer.
CLOSABLE_WAITING_ON_SELLER = frozenset({"support"})


@dataclass(frozen=True)
class Facts:
    type: str
    closed: bool
    last_actor: str  # "customer" | "seller"
    last_public_at: datetime
    warnings_sent: int
    process_at: datetime | None = None  # a request's processing time, fixed when asked


@dataclass(frozen=True)
class Timer:
    step: str  # "process" | "warn" | "close"
    due_at: datetime


def process_time(*, asked_at: datetime, by: str, abuse_flagged: bool,
                 calendar: BusinessCalendar) -> datetime:
    """When a refund or cancellation request is processed: at once for a seller flagged
    for abuse, 5 minutes after a seller asked, 24 business hours after a customer did."""
    if abuse_flagged:
        return asked_at
    if by == "seller":
        return asked_at + SELLER_GRACE
    return calendar.add_business(asked_at, SAVE_THE_SALE)


def wall_clock_add(t: datetime, d: timedelta, calendar: BusinessCalendar) -> datetime:
    """`t` + `d` on the seller's local wall clock (48 h across a DST change keeps the hour)."""
    local = t.astimezone(calendar.tz).replace(tzinfo=None)
    return (local + d).replace(tzinfo=calendar.tz)


def next_timer(facts: Facts, calendar: BusinessCalendar) -> Timer | None:
    if facts.closed:
        return None
    if facts.type in REQUEST_TYPES:
        return Timer("process", facts.process_at) if facts.process_at else None
    base, sent = facts.last_public_at, facts.warnings_sent
    if facts.last_actor == "seller":  # waiting on the customer
        if sent < 1:
            return Timer("warn", calendar.add_business_days(base, CUSTOMER_WARNING_DAYS))
        return Timer("close", calendar.add_business_days(base, CUSTOMER_CLOSE_DAYS))
    if sent < len(SELLER_WARNINGS):
        return Timer("warn", wall_clock_add(base, SELLER_WARNINGS[sent], calendar))
    if facts.type in CLOSABLE_WAITING_ON_SELLER:
        return Timer("close", calendar.not_before_business(
            wall_clock_add(base, SELLER_CLOSE, calendar)))
    return None


# A customer's reply within this time reopens a closed ticket; later it opens a new one.
REOPEN_WITHIN = timedelta(days=14)


def reply_reopens(*, closed_at: datetime, now: datetime) -> bool:
    return now - closed_at <= REOPEN_WITHIN


# Who may move a ticket where. Returns: new → in_review → accepted | rejected → closed.
RETURN_TRANSITIONS = {
    "new": {"in_review", "accepted", "rejected"},
    "in_review": {"accepted", "rejected"},
    "accepted": {"in_review"},
    "rejected": {"in_review"},
}


def can_move_return(current: str, target: str) -> bool:
    return target in RETURN_TRANSITIONS.get(current, set())


# Closings the customer is asked to rate (CSAT): a person closed the ticket after the
# seller took part. Not the system's closings (a processed refund or cancellation, a
# ticket closed for inactivity): nobody helped, or the refund e-mail speaks for itself.
PERSON_SIDES = frozenset({"customer", "seller"})
SYSTEM_RESOLUTIONS = frozenset({"refunded", "canceled", "inactive"})


def rating_invited(*, closed_by: str, resolution: str, seller_replied: bool) -> bool:
    """Whether this closing asks the customer to rate the help. A customer who closes a
    ticket the seller never answered got no help to rate."""
    if closed_by not in PERSON_SIDES or resolution in SYSTEM_RESOLUTIONS:
        return False
    return closed_by == "seller" or seller_replied
