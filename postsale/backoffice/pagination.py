"""Keyset pagination over (created_at, id), newest first, in both directions: no COUNT(*)
and no OFFSET, so page 1 and page 10,000 of a seller with millions of orders cost the same."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    pk: int

    def __str__(self) -> str:
        micros = (self.created_at - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}-{self.pk}"

    @classmethod
    def parse(cls, value: str | None) -> "Cursor | None":
        """None for anything that is not a cursor we made: the list starts over."""
        try:
            micros, pk = (value or "").split("-")
            return cls(_EPOCH + timedelta(microseconds=int(micros)), int(pk))
        except (ValueError, OverflowError):
            return None

    @classmethod
    def of(cls, obj) -> "Cursor":
        return cls(obj.created_at, obj.pk)


@dataclass(frozen=True)
class KeysetPage:
    items: list
    newer: Cursor | None  # pass as `before` to get the newer page
    older: Cursor | None  # pass as `after` to get the older page


def keyset_page(qs: QuerySet, *, after: str | None, before: str | None,
                size: int) -> KeysetPage:
    """`after`: rows older than that cursor; `before`: rows newer than it; neither: the
    newest rows."""
    older_than, newer_than = Cursor.parse(after), Cursor.parse(before)
    if newer_than and not older_than:
        c = newer_than
        # The redundant `gte` lets the database range-scan the (seller, created_at) index.
        rows = list(qs.filter(created_at__gte=c.created_at)
                    .filter(Q(created_at__gt=c.created_at) | Q(id__gt=c.pk))
                    .order_by("created_at", "id")[: size + 1])
        more = len(rows) > size
        items = rows[:size][::-1]
        return KeysetPage(items, newer=Cursor.of(items[0]) if more and items else None,
                          older=Cursor.of(items[-1]) if items else None)
    if older_than:
        c = older_than
        qs = (qs.filter(created_at__lte=c.created_at)
              .filter(Q(created_at__lt=c.created_at) | Q(id__lt=c.pk)))
    rows = list(qs.order_by("-created_at", "-id")[: size + 1])
    items = rows[:size]
    return KeysetPage(items,
                      newer=Cursor.of(items[0]) if older_than and items else None,
                      older=Cursor.of(items[-1]) if len(rows) > size else None)
