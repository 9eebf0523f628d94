"""Acting on many tickets at once from the inbox. Each ticket goes through the same
service as a single action, in its own transaction — one audit row and the same e-mails
per ticket — so one ticket that cannot be changed (closed meanwhile) stops nothing else.
Numbers of another seller's tickets are skipped as unknown."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from postsale.core.audit import Actor
from postsale.core.errors import DomainError, Invalid
from postsale.tickets.assignment import is_consultant
from postsale.tickets.models import Side, Ticket
from postsale.tickets.services import ticket_assign, ticket_close

MAX_BULK = 100


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # ticket numbers changed
    unchanged: list[str] = field(default_factory=list)  # already so
    failed: dict[str, str] = field(default_factory=dict)  # number -> why not
    unknown: list[str] = field(default_factory=list)  # not this seller's tickets


def _tickets(seller, numbers: Iterable[str]) -> tuple[list[Ticket], list[str]]:
    wanted = list(dict.fromkeys(n.strip().upper() for n in numbers if n.strip()))
    if not wanted:
        raise Invalid(_("Tick at least one ticket."), {"tickets": _("Nothing selected.")})
    if len(wanted) > MAX_BULK:
        raise Invalid(_("At most %(n)d tickets at a time.") % {"n": MAX_BULK},
                      {"tickets": _("Too many selected.")})
    found = {t.number: t for t in Ticket.objects.filter(seller=seller, number__in=wanted)
             .select_related("assignee")}
    return [found[n] for n in wanted if n in found], [n for n in wanted if n not in found]


def _each(tickets: list[Ticket], result: BulkResult, act: Callable[[Ticket], bool]) -> None:
    for ticket in tickets:
        try:
            changed = act(ticket)
        except DomainError as exc:
            result.failed[ticket.number] = exc.message
        else:
            (result.done if changed else result.unchanged).append(ticket.number)


def tickets_bulk_assign(*, seller, numbers: Iterable[str], user, actor: Actor) -> BulkResult:
    """Give the tickets to `user` (a consultant), or to nobody (None)."""
    if user is not None and not is_consultant(seller, user):
        raise Invalid(_("Only members with the owner or agent role can be given tickets."),
                      {"assignee": _("Choose a consultant.")})
    tickets, unknown = _tickets(seller, numbers)
    result = BulkResult(unknown=unknown)

    def assign(ticket: Ticket) -> bool:
        if ticket.assignee_id == (user.pk if user else None):
            return False
        ticket_assign(ticket=ticket, user=user, actor=actor)
        return True

    _each(tickets, result, assign)
    return result


def tickets_bulk_close(*, seller, numbers: Iterable[str], actor: Actor) -> BulkResult:
    """Close the tickets as the seller, each exactly as `ticket_close` would."""
    tickets, unknown = _tickets(seller, numbers)
    result = BulkResult(unknown=unknown)

    def close(ticket: Ticket) -> bool:
        if ticket.is_closed:
            return False
        ticket_close(ticket=ticket, side=Side.SELLER, actor=actor)
        return True

    _each(tickets, result, close)
    return result
