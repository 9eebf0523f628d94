"""The platform operator's powers over tickets (SPEC §4.1): review refund requests that
sellers closed or changed before processing, and flag a seller for abuse, after which
that seller's refund and cancellation requests are processed at once."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.core.errors import Conflict
from postsale.sellers.models import Seller
from postsale.tickets.models import Step, Ticket, TicketType


def ticket_review_done(*, ticket: Ticket, actor: Actor, note: str = "",
                       now: datetime | None = None) -> Ticket:
    now = now or clock.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.review_requested_at is None or ticket.reviewed_at is not None:
            raise Conflict("not_on_review_list",
                           _("Ticket %(number)s is not waiting for a review.")
                           % {"number": ticket.number})
        ticket.reviewed_at, ticket.reviewed_by = now, actor.user
        ticket.save(update_fields=["reviewed_at", "reviewed_by"])
        audit(seller=ticket.seller, obj=ticket, action="ticket.reviewed", actor=actor, now=now,
              data={"note": note[:500]})
    return ticket


def seller_abuse_flag(*, seller: Seller, flagged: bool, actor: Actor, reason: str = "",
                      now: datetime | None = None) -> Seller:
    """Flag (or unflag) a seller. Flagging also makes the seller's pending requests due
    now: "from then on processed at once" includes the ones already waiting."""
    now = now or clock.now()
    with transaction.atomic():
        seller = Seller.objects.select_for_update().get(pk=seller.pk)
        if bool(seller.abuse_flagged_at) == flagged:
            return seller
        seller.abuse_flagged_at = now if flagged else None
        seller.save(update_fields=["abuse_flagged_at"])
        moved = 0
        if flagged:
            moved = (Ticket.objects.filter(
                seller=seller, type__in=[TicketType.REFUND, TicketType.CANCELLATION],
                due_step=Step.PROCESS, due_at__gt=now).update(due_at=now, process_at=now))
        audit(seller=seller, obj=seller, action="seller.abuse_flag", actor=actor, now=now,
              data={"flagged": flagged, "reason": reason[:500], "requests_moved": moved})
    return seller
