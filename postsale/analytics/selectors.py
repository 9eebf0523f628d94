from datetime import datetime

from django.conf import settings

from postsale.analytics.models import Rating
from postsale.analytics.rules import RatingOffer, rating_offer
from postsale.tickets.models import Side, Ticket


def rating_of(ticket: Ticket) -> Rating | None:
    return Rating.objects.filter(ticket=ticket).first()


def seller_replied(ticket: Ticket) -> bool:
    return ticket.messages.filter(side=Side.SELLER, internal=False).exists()


def rating_offer_for(ticket: Ticket, *, now: datetime) -> RatingOffer:
    return rating_offer(closed=ticket.is_closed, closed_by=ticket.closed_by,
                        resolution=ticket.resolution,
                        seller_replied=ticket.is_closed and seller_replied(ticket),
                        closed_at=ticket.closed_at, now=now,
                        days=settings.POSTSALE_RATING_DAYS)
