"""Keyset pagination on (created_at, id): stable while new rows arrive, fast at any depth."""

import base64
from datetime import datetime

from django.db.models import Q, QuerySet

from postsale.core.errors import Invalid


def encode_cursor(created_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{pk}".encode()).decode()


def page(qs: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    if cursor:
        try:
            stamp, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
            created_at, pk = datetime.fromisoformat(stamp), int(pk)
        except (ValueError, UnicodeDecodeError):
            raise Invalid("Bad cursor.", {"cursor": "Pass the next_cursor of the previous "
                                                    "page unchanged."}) from None
        qs = qs.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk))
    items = list(qs[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, encode_cursor(items[-1].created_at, items[-1].pk) if more else None
