"""The countdown to a ticket's next automatic step, in words an agent reads at a glance
("Refund in 13 h unless saved", SPEC §8). Pure: the step, its due time, now and the
seller's time zone in; words out. The step and its due time are stored on the ticket by
the domain (`Ticket.due_step`, `Ticket.due_at`); this only says them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from postsale.tickets.models import Step, TicketType


@dataclass(frozen=True)
class Countdown:
    step: str  # a Step value
    due_at: datetime
    text: str  # "Refund in 13 h unless saved"
    overdue: bool  # due already: the next sweep runs it

    @property
    def tone(self) -> str:
        """How it looks: a request about to be processed stands out."""
        return "warn" if self.step == Step.PROCESS or self.overdue else "info"


def in_words(delta: timedelta) -> str:
    """`delta` from now, to the nearest minute under an hour, to the nearest hour under
    two days, else to the nearest day: "in 5 minutes", "in 13 h", "in 2 days"."""
    seconds = delta.total_seconds()
    minutes = int(seconds / 60 + 0.5)
    if minutes < 1:
        return _("in less than a minute")
    if minutes < 60:
        return ngettext("in %(n)d minute", "in %(n)d minutes", minutes) % {"n": minutes}
    hours = int(seconds / 3600 + 0.5)
    if hours < 48:
        return ngettext("in %(n)d h", "in %(n)d h", hours) % {"n": hours}
    days = int(seconds / 86400 + 0.5)
    return ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}


def local_time(value: datetime, *, now: datetime, tz: ZoneInfo) -> str:
    """A due time on the seller's wall clock, "Tue 24 Nov, 00:00"; the year only when it
    is not this year's."""
    local = value.astimezone(tz)
    fmt = "D j M, H:i" if local.year == now.astimezone(tz).year else "D j M Y, H:i"
    return dateformat.format(local, fmt)


def countdown(*, ticket_type: str, step: str, due_at: datetime | None, now: datetime,
              tz: ZoneInfo) -> Countdown | None:
    """The next automatic step in words, or None when nothing will happen by itself."""
    if not step or due_at is None:
        return None
    overdue = due_at <= now
    return Countdown(step=step, due_at=due_at, overdue=overdue,
                     text=_text(ticket_type, step, due_at, now=now, tz=tz, overdue=overdue))


def _text(ticket_type: str, step: str, due_at: datetime, *, now: datetime, tz: ZoneInfo,
          overdue: bool) -> str:
    when = in_words(due_at - now)
    if step == Step.PROCESS:
        if ticket_type == TicketType.CANCELLATION:
            return (_("Cancellation due now") if overdue else
                    _("Cancellation %(when)s unless saved") % {"when": when})
        return _("Refund due now") if overdue else _("Refund %(when)s unless saved") % {
            "when": when}
    if step == Step.WARN:
        return _("Inactivity warning due now") if overdue else _(
            "Inactivity warning %(when)s") % {"when": when}
    if step == Step.CLOSE:
        return _("Closes for inactivity now") if overdue else _(
            "Closes for inactivity on %(date)s") % {"date": local_time(due_at, now=now, tz=tz)}
    return _("Next step %(when)s") % {"when": when}


def ticket_countdown(ticket, *, now: datetime, tz: ZoneInfo) -> Countdown | None:
    return countdown(ticket_type=ticket.type, step=ticket.due_step, due_at=ticket.due_at,
                     now=now, tz=tz)
