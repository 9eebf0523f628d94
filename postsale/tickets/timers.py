"""The automatic steps of tickets (SPEC §4.1, §4.2): process a refund or cancellation
request, send an inactivity warning, close for inactivity. Each step runs when the
ticket's stored due time has passed, under the ticket's row lock (SKIP LOCKED, so two
workers never take the same ticket), and is idempotent: the step clears or moves the due
time in the same transaction as its effects and its e-mails."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from postsale.core import clock
from postsale.core.audit import SYSTEM, audit
from postsale.core.errors import DomainError
from postsale.payments.models import Refund
from postsale.payments.refunds import refund_request, refunds_sweep
from postsale.payments.rules import RequestedBy
from postsale.payments.subscriptions import subscriptions_cancel
from postsale.tickets import emails
from postsale.tickets.models import Resolution, Side, Step, Ticket, TicketType
from postsale.tickets.services import _iso, _schedule, _system_message, close

log = logging.getLogger(__name__)


def ticket_process_due(*, ticket_id: int, now: datetime | None = None) -> str | None:
    """Run the ticket's due step. Returns the step run, or None when nothing was due or
    another worker holds the ticket."""
    now = now or clock.now()
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                  .select_related("seller", "order__customer")
                  .filter(pk=ticket_id, due_at__lte=now).first())
        if ticket is None:
            return None
        step = ticket.due_step
        if step == Step.PROCESS:
            _process(ticket, now=now)
        elif step == Step.WARN:
            _warn(ticket, now=now)
        elif step == Step.CLOSE:
            _close_inactive(ticket, now=now)
        else:  # a due time without a step is a bug; recompute rather than loop on it
            log.error("Ticket %s had a due time without a step", ticket.number)
            _schedule(ticket)
            ticket.save(update_fields=["due_at", "due_step"])
    return step


def _process(ticket: Ticket, *, now: datetime) -> None:
    if ticket.type == TicketType.CANCELLATION:
        subscriptions_cancel(order=ticket.order, actor=SYSTEM, reference=ticket.number, now=now)
        resolution, refund = Resolution.CANCELED, None
    else:
        try:
            with transaction.atomic():
                refund = _refund(ticket, now=now)
        except DomainError as exc:
            return _not_processed(ticket, exc, now=now)
        resolution = Resolution.REFUNDED
    ticket.refund, ticket.process_at = refund, None
    message = _system_message(ticket, _("Refund %(refund)s of %(amount)s sent.") % {
        "refund": refund.number, "amount": refund.amount_display} if refund else
        _("The subscription was canceled; there will be no further payments."), now=now)
    close(ticket, resolution=resolution, by=Side.SYSTEM, now=now)
    audit(seller=ticket.seller, obj=ticket, action="ticket.processed", actor=SYSTEM, now=now,
          data={"resolution": resolution, "refund": refund.number if refund else None})
    if refund is None:  # a refund is confirmed by its own e-mail once the money is back
        emails.queue_ticket_mail(ticket, "ticket_closed", message=message, now=now)


def _refund(ticket: Ticket, *, now: datetime) -> Refund:
    """Ask the refund service for the amount decided when the customer asked: the windows
    are checked at that moment, so waiting to save the sale never costs the refund."""
    by = RequestedBy.CUSTOMER if ticket.opened_by == Side.CUSTOMER else RequestedBy.SELLER
    return refund_request(seller=ticket.seller, order_number=ticket.order.number, by=by,
                          actor=SYSTEM, keys=ticket.refund_keys, reason=ticket.subject,
                          requested_at=ticket.requested_at, now=now, process_at=now,
                          reference=ticket.number)


def _not_processed(ticket: Ticket, exc: DomainError, *, now: datetime) -> None:
    """The refund could not be asked for (e.g. an agent refunded the order meanwhile).
    The ticket stays open for an agent, with the reason as an internal note."""
    ticket.process_at, ticket.updated_at = None, now
    _schedule(ticket)
    ticket.save(update_fields=["process_at", "updated_at", "due_at", "due_step"])
    _system_message(ticket, _("The refund was not processed automatically: %(reason)s")
                    % {"reason": exc.message}, now=now, internal=True)
    audit(seller=ticket.seller, obj=ticket, action="ticket.process_failed", actor=SYSTEM,
          now=now, data={"code": exc.code, "message": exc.message})


def _warn(ticket: Ticket, *, now: datetime) -> None:
    ticket.warnings_sent += 1
    _schedule(ticket)
    ticket.save(update_fields=["warnings_sent", "due_at", "due_step"])
    audit(seller=ticket.seller, obj=ticket, action="ticket.inactivity_warning", actor=SYSTEM,
          now=now, data={"warning": ticket.warnings_sent, "waiting_on": ticket.waiting_on,
                         "next": ticket.due_step, "next_at": _iso(ticket.due_at)})
    emails.queue_ticket_mail(ticket, "ticket_inactivity", now=now,
                             extra={"warning": ticket.warnings_sent})


def _close_inactive(ticket: Ticket, *, now: datetime) -> None:
    message = _system_message(ticket, _("Closed automatically: nobody wrote for too long."),
                              now=now)
    close(ticket, resolution=Resolution.INACTIVE, by=Side.SYSTEM, now=now)
    audit(seller=ticket.seller, obj=ticket, action="ticket.closed_inactive", actor=SYSTEM,
          now=now, data={"waiting_on": ticket.waiting_on})
    emails.queue_ticket_mail(ticket, "ticket_closed", message=message, now=now)


def tickets_sweep(*, now: datetime | None = None, batch: int = 200,
                  limit: int = 10_000) -> int:
    """Run every due step (up to `limit` per call). Reads due ids through the partial
    index on due_at; each ticket is then locked on its own, skipping ones another worker
    holds."""
    now = now or clock.now()
    done = 0
    seen: set[int] = set()
    while done < limit:
        due = [pk for pk in Ticket.objects.filter(due_at__lte=now).order_by("due_at")
               .values_list("pk", flat=True)[:batch] if pk not in seen]
        if not due:
            break
        for pk in due:
            seen.add(pk)
            if ticket_process_due(ticket_id=pk, now=now) is not None:
                done += 1
    if done:
        # Send the refunds just asked for now rather than at the next sweep (their tasks
        # may be waiting for a worker when this runs as `postsale sweep`); idempotent.
        refunds_sweep(now=now)
    return done
