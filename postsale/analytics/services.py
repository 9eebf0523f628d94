"""Writing ratings. Same shape as every service: lock, check the rule, save, audit."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postsale.analytics.models import MAX_COMMENT, Rating
from postsale.analytics.selectors import rating_offer_for
from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.core.errors import Conflict, Invalid
from postsale.tickets.models import Ticket

NOT_OFFERED = {
    "open": gettext_lazy("You can rate the help once the ticket is closed."),
    "not_invited": gettext_lazy("This ticket is not one we ask you to rate: it was closed "
                                "automatically, or before anyone answered."),
    "too_late": gettext_lazy("The time to rate this ticket has passed."),
}


def rating_submit(*, ticket: Ticket, score: int, comment: str = "", actor: Actor,
                  now: datetime | None = None) -> Rating:
    """The customer's rating of a closed ticket, or their change of it."""
    now = now or clock.now()
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise Invalid(_("Choose a score from 1 to 5."), {"score": _("Choose 1 to 5.")})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(_("The comment is too long (at most %(n)d characters).")
                      % {"n": MAX_COMMENT}, {"comment": _("Too long.")})
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("seller").get(pk=ticket.pk)
        offer = rating_offer_for(ticket, now=now)
        if not offer.allowed:
            raise Conflict("rating_not_offered", str(NOT_OFFERED[offer.reason]))
        rating = Rating.objects.filter(ticket=ticket).first()
        if rating is None:
            rating = Rating.objects.create(seller=ticket.seller, ticket=ticket, score=score,
                                           comment=comment, created_at=now, updated_at=now)
            action, data = "rating.submitted", {"score": score}
        else:
            action, data = "rating.changed", {"from": rating.score, "score": score}
            rating.score, rating.comment, rating.updated_at = score, comment, now
            rating.save(update_fields=["score", "comment", "updated_at"])
        audit(seller=ticket.seller, obj=ticket, action=action, actor=actor, now=now,
              data=data | {"comment": bool(comment)})
    return rating
