"""Every change to a ticket (SPEC §4). Same shape each time: lock the ticket, check the
rule, save, audit, notify both sides in the same transaction, reschedule the next
automatic step. The steps themselves are in `timers.py`."""

from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.core.calendar import calendar_for
from postsale.core.errors import Conflict, DomainError, Invalid
from postsale.core.numbers import public_number
from postsale.orders.models import Order, OrderStatus
from postsale.payments.eligibility import refund_eligibility
from postsale.payments.rules import RequestedBy
from postsale.payments.subscriptions import has_active_subscription
from postsale.tickets import emails, rules
from postsale.tickets.assignment import assign_new_ticket, is_consultant
from postsale.tickets.attachments import CheckedFile
from postsale.tickets.models import (
    Attachment,
    Channel,
    Message,
    Resolution,
    ReturnKind,
    Side,
    Ticket,
    TicketStatus,
    TicketType,
)
from postsale.tickets.selectors import open_request

MAX_BODY = 20_000
REQUEST_TYPES = (TicketType.REFUND, TicketType.CANCELLATION)


@dataclass(frozen=True)
class ReturnDetails:
    kind: str
    lines: list[dict]  # [{"line": OrderLine id, "quantity": n}]
    contact_email: str = ""
    contact_phone: str = ""


def ticket_lock(ticket: Ticket) -> Ticket:
    return (Ticket.objects.select_for_update().select_related("seller", "order__customer")
            .get(pk=ticket.pk))


def ticket_open(*, order: Order, type: str, body: str, side: str, channel: str, actor: Actor,
                subject: str = "", keys: list[str] | None = None,
                attachments: list[CheckedFile] = (), details: ReturnDetails | None = None,
                previous: Ticket | None = None, now: datetime | None = None) -> Ticket:
    """Open a ticket on `order`. `side` is who opened it (an operator's phone call is the
    customer's); a refund or cancellation request is checked and its amount fixed now."""
    now = now or clock.now()
    _check_type(type)
    body = _clean_body(body)
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("seller", "customer").get(
            pk=order.pk)
        seller = order.seller
        ticket = Ticket(
            seller=seller, order=order, number=public_number("TCK", 8), type=type,
            status=TicketStatus.NEW if type == TicketType.RETURN else TicketStatus.OPEN,
            subject=(subject.strip() or _default_subject(type))[:200], opened_by=side,
            channel=channel, previous=previous, last_actor=side, last_public_at=now,
            created_at=now, updated_at=now)
        if type in REQUEST_TYPES:
            _ask(ticket, side=side, keys=keys, now=now)
        if type == TicketType.RETURN:
            _set_return(ticket, details)
        _schedule(ticket)
        assigned = assign_new_ticket(ticket, actor=actor)
        ticket.save()
        message = _add_message(ticket, side=side, actor=actor, body=body,
                               attachments=attachments, now=now)
        audit(seller=seller, obj=ticket, action="ticket.opened", actor=actor, now=now,
              data={"type": type, "by": side, "channel": channel, "order": order.number,
                    "refund_amount": ticket.refund_amount, "process_at": _iso(ticket.process_at),
                    **(assigned.audit_data() if assigned else {})})
        emails.queue_ticket_mail(ticket, "ticket_opened", message=message, now=now)
        if assigned and assigned.user != actor.user:
            emails.queue_assigned_mail(ticket, assigned.user, now=now)
    return ticket


def _check_type(type: str) -> None:
    if type not in TicketType.values:
        raise Invalid(_("Unknown ticket type %(type)r; use one of: %(types)s.")
                      % {"type": type, "types": ", ".join(TicketType.values)},
                      {"type": _("Unknown ticket type.")})


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid(_("Write a message."), {"body": _("This field is required.")})
    if len(body) > MAX_BODY:
        raise Invalid(_("The message is too long (at most %(n)d characters).") % {"n": MAX_BODY},
                      {"body": _("Too long.")})
    return body


def _default_subject(type: str) -> str:
    return str(TicketType(type).label)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _ask(ticket: Ticket, *, side: str, keys: list[str] | None, now: datetime) -> None:
    """Make `ticket` a refund or cancellation request asked now by `side`: decide
    eligibility and the amount once, and when it is processed."""
    order = ticket.order
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        raise DomainError(code="not_refundable", status=422, message=_(
            "Order %(number)s is %(status)s: only paid orders can be refunded or canceled. "
            "You can still open a support ticket.") % {
                "number": order.number, "status": order.get_status_display().lower()})
    waiting = open_request(order, besides=ticket)
    if waiting:
        raise Conflict("request_open", _(
            "Ticket %(number)s already asks for this; reply there instead.")
            % {"number": waiting.number})
    if ticket.type == TicketType.REFUND:
        by = RequestedBy.CUSTOMER if side == Side.CUSTOMER else RequestedBy.SELLER
        decision = refund_eligibility(order=order, by=by, at=now, keys=keys)
        if not decision.allowed:
            raise DomainError(code="not_refundable", status=422, message=" ".join(
                [*decision.reasons, _("You can still open a support ticket.")]))
        ticket.refund_keys = keys or None
        ticket.refund_amount, ticket.refund_fee = decision.amount, decision.fee
        ticket.refund_reasons = list(decision.reasons)
    elif not has_active_subscription(order):
        raise DomainError(code="no_subscription", status=422, message=_(
            "Order %(number)s has no active subscription to cancel.")
            % {"number": order.number})
    ticket.requested_at = now
    ticket.process_at = process_time_for(ticket.seller, by=side, asked_at=now)


def process_time_for(seller, *, by: str, asked_at: datetime) -> datetime:
    """When a request `by` one side at `asked_at` is processed, on the seller's calendar."""
    return rules.process_time(asked_at=asked_at, by=by,
                              abuse_flagged=bool(seller.abuse_flagged_at),
                              calendar=calendar_for(seller))


def _set_return(ticket: Ticket, details: ReturnDetails | None) -> None:
    if details is None:
        return
    if details.kind and details.kind not in ReturnKind.values:
        raise Invalid(_("Unknown return kind; use one of: %(kinds)s.")
                      % {"kinds": ", ".join(ReturnKind.values)},
                      {"return_kind": _("Unknown return kind.")})
    lines = {line.pk: line.quantity for line in ticket.order.lines.all()}
    for i, item in enumerate(details.lines):
        quantity = lines.get(item.get("line"))
        if quantity is None or not 1 <= item.get("quantity", 0) <= quantity:
            raise Invalid(_("Line %(n)d: choose a line of this order and a quantity from 1 "
                            "to what was bought.") % {"n": i + 1},
                          {f"lines[{i}]": _("Not a line of this order, or a wrong quantity.")})
    ticket.return_kind = details.kind
    ticket.return_lines = [{"line": i["line"], "quantity": i["quantity"]} for i in details.lines]
    ticket.contact_email, ticket.contact_phone = details.contact_email, details.contact_phone


def _add_message(ticket: Ticket, *, side: str, actor: Actor, body: str,
                 attachments: list[CheckedFile] = (), internal: bool = False,
                 now: datetime) -> Message:
    user = actor.user if actor.user and actor.user.is_authenticated else None
    message = Message.objects.create(
        ticket=ticket, side=side, author=user, author_name=_author_name(ticket, side, actor),
        body=body, internal=internal, created_at=now)
    for checked in attachments:
        attachment = Attachment(message=message, name=checked.name,
                                content_type=checked.content_type, size=len(checked.data),
                                created_at=now)
        attachment.file.save(checked.name, ContentFile(checked.data), save=False)
        attachment.save()
    return message


def _author_name(ticket: Ticket, side: str, actor: Actor) -> str:
    if side == Side.CUSTOMER:
        return ticket.order.customer.full_name or ticket.order.email
    if side == Side.SYSTEM:
        return ""
    if actor.user is not None:
        return actor.user.get_full_name() or actor.user.get_username()
    if actor.kind == "api":  # the label is the token's prefix: for the audit log, not people
        return ticket.seller.name
    return actor.label or ticket.seller.name


def _schedule(ticket: Ticket) -> None:
    """Set the ticket's next automatic step from its facts; the caller saves it."""
    timer = rules.next_timer(rules.Facts(
        type=ticket.type, closed=ticket.is_closed, last_actor=ticket.last_actor,
        last_public_at=ticket.last_public_at, warnings_sent=ticket.warnings_sent,
        process_at=ticket.process_at), calendar_for(ticket.seller))
    ticket.due_at, ticket.due_step = (timer.due_at, timer.step) if timer else (None, "")


def _touch(ticket: Ticket, side: str, now: datetime) -> None:
    """A public action: the inactivity timers restart from it."""
    ticket.last_actor, ticket.last_public_at, ticket.warnings_sent = side, now, 0
    ticket.updated_at = now


def ticket_reply(*, ticket: Ticket, side: str, body: str, actor: Actor,
                 attachments: list[CheckedFile] = (), internal: bool = False,
                 now: datetime | None = None) -> Message:
    """A public reply (both sides e-mailed) or an internal note (agents only, nobody
    e-mailed, no timer moves). A customer replying to a closed ticket reopens it if it
    closed recently, and otherwise opens a new ticket linked to it."""
    now = now or clock.now()
    body = _clean_body(body)
    if internal and side != Side.SELLER:
        raise DomainError(code="forbidden", status=403,
                          message=_("Only the seller's agents can write internal notes."))
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        if internal:
            message = _add_message(ticket, side=side, actor=actor, body=body,
                                   attachments=attachments, internal=True, now=now)
            audit(seller=ticket.seller, obj=ticket, action="ticket.noted", actor=actor, now=now)
            return message
        if ticket.is_closed:
            if side != Side.CUSTOMER:
                raise Conflict("ticket_closed", _(
                    "Ticket %(number)s is closed; open a new ticket to write to the customer.")
                    % {"number": ticket.number})
            if not rules.reply_reopens(closed_at=ticket.closed_at, now=now):
                followup = ticket_open(
                    order=ticket.order, type=TicketType.SUPPORT, body=body, side=side,
                    channel=ticket.channel, actor=actor, subject=ticket.subject,
                    attachments=attachments, previous=ticket, now=now)
                return followup.messages.first()
            _reopen(ticket, actor=actor, now=now)
        _touch(ticket, side, now)
        _schedule(ticket)
        ticket.save(update_fields=["type", "status", "resolution", "closed_at", "closed_by",
                                   "last_actor", "last_public_at", "warnings_sent",
                                   "updated_at", "due_at", "due_step"])
        message = _add_message(ticket, side=side, actor=actor, body=body,
                               attachments=attachments, now=now)
        audit(seller=ticket.seller, obj=ticket, action="ticket.replied", actor=actor, now=now,
              data={"by": side, "message": message.pk})
        emails.queue_ticket_mail(ticket, "ticket_reply", message=message, now=now)
    return message


def _reopen(ticket: Ticket, *, actor: Actor, now: datetime) -> None:
    ticket.status = (TicketStatus.IN_REVIEW if ticket.type == TicketType.RETURN
                     else TicketStatus.OPEN)
    if ticket.type in REQUEST_TYPES:  # a processed or withdrawn request is not asked again
        ticket.type = TicketType.SUPPORT
    ticket.resolution, ticket.closed_at, ticket.closed_by = "", None, ""
    audit(seller=ticket.seller, obj=ticket, action="ticket.reopened", actor=actor, now=now)


def ticket_change_type(*, ticket: Ticket, type: str, side: str, actor: Actor,
                       keys: list[str] | None = None, now: datetime | None = None) -> Ticket:
    """Change the type. To a refund or cancellation: a new request, decided and timed
    now. Away from one before it is processed: processing is dropped (and, when the seller
    did it, the operator reviews it)."""
    now = now or clock.now()
    _check_type(type)
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        if ticket.is_closed:
            raise Conflict("ticket_closed", _("Ticket %(number)s is closed.")
                           % {"number": ticket.number})
        if ticket.type == type:
            raise Conflict("same_type", _("Ticket %(number)s is already a %(type)s ticket.")
                           % {"number": ticket.number, "type": TicketType(type).label.lower()})
        old = ticket.type
        if old in REQUEST_TYPES:
            _drop_request(ticket, side=side, actor=actor, now=now,
                          why=_("changed to %(type)s") % {"type": TicketType(type).label})
        ticket.type = type
        if type in REQUEST_TYPES:
            _ask(ticket, side=side, keys=keys, now=now)
        if type == TicketType.RETURN:
            ticket.status = TicketStatus.NEW
        elif old == TicketType.RETURN:
            ticket.status = TicketStatus.OPEN
        _touch(ticket, side, now)
        _schedule(ticket)
        ticket.save()
        message = _system_message(ticket, _("Type changed from %(old)s to %(new)s.") % {
            "old": TicketType(old).label, "new": TicketType(type).label}, now=now)
        audit(seller=ticket.seller, obj=ticket, action="ticket.type_changed", actor=actor,
              now=now, data={"from": old, "to": type, "by": side,
                             "process_at": _iso(ticket.process_at)})
        emails.queue_ticket_mail(ticket, "ticket_changed", message=message, now=now,
                                 extra={"old_type": TicketType(old).label})
    return ticket


def _drop_request(ticket: Ticket, *, side: str, actor: Actor, now: datetime, why: str) -> None:
    """The request is not processed. The seller dropping a customer's request is for the
    operator to review; a customer withdrawing their own is not."""
    if side == Side.SELLER and ticket.opened_by == Side.CUSTOMER and ticket.refund_id is None:
        ticket.review_reason = why[:200]
        ticket.review_requested_at = now
    ticket.process_at = None


def _system_message(ticket: Ticket, body: str, *, now: datetime,
                    internal: bool = False) -> Message:
    return Message.objects.create(ticket=ticket, side=Side.SYSTEM, body=body,
                                  internal=internal, created_at=now)


def ticket_close(*, ticket: Ticket, side: str, actor: Actor, body: str = "",
                 now: datetime | None = None) -> Ticket:
    """Close by a person. A customer closing their own request withdraws it; a seller
    closing a customer's request before it is processed saves the sale (reviewed)."""
    now = now or clock.now()
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        if ticket.is_closed:
            raise Conflict("ticket_closed", _("Ticket %(number)s is already closed.")
                           % {"number": ticket.number})
        resolution = Resolution.SOLVED
        if ticket.type in REQUEST_TYPES and ticket.process_at:
            resolution = Resolution.WITHDRAWN if side == Side.CUSTOMER else Resolution.SAVED
            _drop_request(ticket, side=side, actor=actor, now=now, why=_("closed"))
        elif ticket.status in (TicketStatus.ACCEPTED, TicketStatus.REJECTED):
            resolution = Resolution(ticket.status)
        message = None
        if body.strip():
            message = _add_message(ticket, side=side, actor=actor, body=_clean_body(body),
                                   now=now)
        _touch(ticket, side, now)
        close(ticket, resolution=resolution, by=side, now=now)
        audit(seller=ticket.seller, obj=ticket, action="ticket.closed", actor=actor, now=now,
              data={"by": side, "resolution": resolution})
        emails.queue_ticket_mail(ticket, "ticket_closed", message=message, now=now)
    return ticket


def close(ticket: Ticket, *, resolution: str, by: str, now: datetime) -> None:
    """Mark a locked ticket closed and clear its timer (callers audit and notify)."""
    ticket.status, ticket.resolution = TicketStatus.CLOSED, resolution
    ticket.closed_at, ticket.closed_by, ticket.updated_at = now, by, now
    ticket.due_at, ticket.due_step = None, ""
    ticket.save()


def ticket_return_decide(*, ticket: Ticket, status: str, actor: Actor, body: str = "",
                         now: datetime | None = None) -> Ticket:
    """The seller moves a return: new → in_review → accepted | rejected (→ closed by
    ticket_close). The decision is e-mailed to both sides."""
    now = now or clock.now()
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        if ticket.type != TicketType.RETURN:
            raise Conflict("not_a_return", _("Ticket %(number)s is not a return.")
                           % {"number": ticket.number})
        if not rules.can_move_return(ticket.status, status):
            raise Conflict("bad_transition", _(
                "A return that is %(current)s cannot become %(target)s.") % {
                    "current": TicketStatus(ticket.status).label.lower(),
                    "target": TicketStatus(status).label.lower()
                    if status in TicketStatus.values else status})
        old = ticket.status
        ticket.status = status
        _touch(ticket, Side.SELLER, now)
        _schedule(ticket)
        ticket.save()
        message = (_add_message(ticket, side=Side.SELLER, actor=actor, body=_clean_body(body),
                                now=now) if body.strip() else
                   _system_message(ticket, _("Return %(status)s.") % {
                       "status": TicketStatus(status).label.lower()}, now=now))
        audit(seller=ticket.seller, obj=ticket, action="ticket.return_status", actor=actor,
              now=now, data={"from": old, "to": status})
        kind = "ticket_decision" if status in (TicketStatus.ACCEPTED,
                                               TicketStatus.REJECTED) else "ticket_changed"
        emails.queue_ticket_mail(ticket, kind, message=message, now=now)
    return ticket


def ticket_assign(*, ticket: Ticket, user, actor: Actor, now: datetime | None = None) -> Ticket:
    """Give the ticket to a consultant (a member with the owner or agent role), or to
    nobody (`user=None`). Closed tickets too: who handled it is part of the record."""
    now = now or clock.now()
    with transaction.atomic():
        ticket = ticket_lock(ticket)
        if user is not None and not is_consultant(ticket.seller, user):
            raise Invalid(_("%(user)s cannot be given tickets: only members with the owner "
                            "or agent role can.") % {"user": user.get_username()},
                          {"assignee": _("Choose a consultant.")})
        if ticket.assignee_id == (user.pk if user else None):
            return ticket
        previous = ticket.assignee.get_username() if ticket.assignee else None
        ticket.assignee, ticket.updated_at = user, now
        ticket.save(update_fields=["assignee", "updated_at"])
        audit(seller=ticket.seller, obj=ticket, action="ticket.assigned", actor=actor, now=now,
              data={"assignee": user.get_username() if user else None, "previous": previous})
        if user is not None and user != actor.user:
            emails.queue_assigned_mail(ticket, user, by=actor.label or str(actor), now=now)
    return ticket


__all__ = ["Channel", "ReturnDetails", "ticket_assign", "ticket_change_type", "ticket_close",
           "ticket_lock", "ticket_open", "ticket_reply", "ticket_return_decide"]
