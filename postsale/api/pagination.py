"""Keyset pagination on (created_at, id): stable while new rows arrive, fast at any depth."""

import base64
import binascii
from datetime import UTC, datetime

from django.db.models import Q, QuerySet

from postsale.api.schemas import MAX_ID
from postsale.core.errors import Invalid


def encode_cursor(created_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{pk}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor points at; anything we did not issue is a 422, never a 500."""
    try:
        stamp, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        created_at, pk = datetime.fromisoformat(stamp), int(pk)
        if created_at.tzinfo is None or not 0 < pk <= MAX_ID:
            raise ValueError(cursor)
        created_at = created_at.astimezone(UTC)  # OverflowError at the ends of time
    except (ValueError, OverflowError, UnicodeError, binascii.Error):
        raise Invalid("Bad cursor.", {"cursor": "Pass the next_cursor of the previous "
                                                "page unchanged."}) from None
    return created_at, pk


def page(qs: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """One page of `qs`, which must be ordered by ("-created_at", "-id")."""
    if cursor:
        created_at, pk = decode_cursor(cursor)
        qs = qs.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk))
    items = list(qs[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, encode_cursor(items[-1].created_at, items[-1].pk) if more else None
