"""The business calendar (SPEC §3): which days count, and moving a moment forward in
business time on the seller's local wall clock.

Wall clock: the arithmetic runs on local naive times, so "24 business hours" across a DST
change lands on the same local hour. Pure: no database, no "now"."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from holidays import registry as holidays_registry

MAX_DAYS_SEARCHED = 3660  # a calendar with no business day in ten years is a mistake


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: str = "UTC"
    country: str = ""
    subdivision: str = ""
    weekend: frozenset[int] | None = None  # ISO weekdays, Monday=0; None: the country's
    closures: frozenset[date] = field(default_factory=frozenset)
    pause_on_holidays: bool = True

    def __post_init__(self):
        if len(self.weekend_days) >= 7:
            raise ValueError("A calendar needs at least one working weekday.")

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def _holidays(self):
        if not self.country:
            return None
        return holidays_lib.country_holidays(self.country, subdiv=self.subdivision or None)

    @cached_property
    def weekend_days(self) -> frozenset[int]:
        if self.weekend is not None:
            return frozenset(self.weekend)
        if self._holidays is not None:
            return frozenset(self._holidays.weekend)
        return frozenset({5, 6})

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day) if self._holidays is not None else None

    def is_business_day(self, day: date) -> bool:
        if day.weekday() in self.weekend_days or day in self.closures:
            return False
        return not (self.pause_on_holidays and self.holiday_name(day))

    # --- local wall-clock helpers -------------------------------------------------------
    def _local(self, t: datetime) -> datetime:
        if t.tzinfo is None:
            raise ValueError("Business calendar times must be timezone-aware.")
        return t.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.tz)

    def _next_business_midnight(self, day: date) -> datetime:
        for _ in range(MAX_DAYS_SEARCHED):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return datetime.combine(day, time())
        raise ValueError("No business day found in ten years; check the calendar.")

    # --- the three operations -----------------------------------------------------------
    def add_business(self, t: datetime, d: timedelta) -> datetime:
        """Move forward from `t` by `d`, counting only time on business days."""
        if d < timedelta(0):
            raise ValueError("Business time only moves forward.")
        current = self._local(t)
        remaining = d
        if not self.is_business_day(current.date()):
            current = self._next_business_midnight(current.date())
        while True:
            end_of_day = datetime.combine(current.date() + timedelta(days=1), time())
            available = end_of_day - current
            if remaining <= available:
                return self._aware(current + remaining)
            remaining -= available
            current = self._next_business_midnight(current.date())

    def add_business_days(self, t: datetime, n: int) -> datetime:
        return self.add_business(t, timedelta(hours=24 * n))

    def not_before_business(self, t: datetime) -> datetime:
        """`t` itself on a business day; otherwise 00:00 of the next business day."""
        local = self._local(t)
        if self.is_business_day(local.date()):
            return t
        return self._aware(self._next_business_midnight(local.date()))


def calendar_for(seller, closures: frozenset[date] | None = None) -> BusinessCalendar:
    """The calendar of a Seller (duck-typed, so this module stays free of models)."""
    if closures is None:
        closures = frozenset(seller.closure_days.values_list("date", flat=True))
    return BusinessCalendar(
        time_zone=seller.time_zone, country=seller.country, subdivision=seller.subdivision,
        weekend=frozenset(seller.weekend_days) if seller.weekend_days else None,
        closures=closures, pause_on_holidays=seller.pause_on_holidays)


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(ISO 3166 code, English name) of every country the holidays library knows, by
    name: the countries a seller's calendar can follow."""
    names = {codes[0]: name.replace("_", " ").title()
             for name, (_cls, *codes) in holidays_registry.COUNTRIES.items()
             if len(codes[0]) == 2}
    return tuple(sorted(names.items(), key=lambda item: item[1]))


@cache
def subdivisions(country: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of a country's subdivisions with their own public holidays; empty
    when the country has none. Unknown country: empty."""
    try:
        calendar = holidays_lib.country_holidays(country)
    except NotImplementedError:
        return ()
    names = {code: name for name, code in getattr(calendar, "subdivisions_aliases", {}).items()}
    return tuple((code, names.get(code, code)) for code in calendar.subdivisions)
