"""Whether a customer may rate a ticket now: a pure decision with its reason."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from postsale.tickets.rules import rating_invited


@dataclass(frozen=True)
class RatingOffer:
    allowed: bool
    reason: str = ""  # why not: "open", "not_invited", "too_late"
    until: datetime | None = None  # the rating can be given or changed until then


def rating_offer(*, closed: bool, closed_by: str, resolution: str, seller_replied: bool,
                 closed_at: datetime | None, now: datetime, days: int) -> RatingOffer:
    if not closed or closed_at is None:
        return RatingOffer(False, "open")
    if not rating_invited(closed_by=closed_by, resolution=resolution,
                          seller_replied=seller_replied):
        return RatingOffer(False, "not_invited")
    until = closed_at + timedelta(days=days)
    if now > until:
        return RatingOffer(False, "too_late", until)
    return RatingOffer(True, "", until)
