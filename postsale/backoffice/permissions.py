"""What each role may do in the back office (SPEC §1, §8): one declared table, asked by
views (`@seller_required(can=Cap.…)`) and templates (`request.access.can.act_on_orders`)
alike, so a page never offers an action its view refuses.

Owner: everything, including settings, members, API tokens, policies and the calendar.
Agent: orders, tickets, refunds, exchanges, customers. Door staff: search and check-in
only. Viewer: reads what agents read, changes nothing. Platform operators (superusers)
act as owners of every seller; their own pages check `is_superuser` (operator.py)."""

from collections.abc import Iterable
from enum import StrEnum

from postsale.sellers.models import Role


class Cap(StrEnum):
    SEARCH = "search"  # the orders list and its search box
    VIEW_ORDERS = "view_orders"  # the order page
    ACT_ON_ORDERS = "act_on_orders"  # refund, exchange, cancel, open a ticket, alerts, e-mails
    VIEW_TICKETS = "view_tickets"
    ACT_ON_TICKETS = "act_on_tickets"  # reply, note, change type, close, return decisions
    VIEW_CUSTOMERS = "view_customers"  # the customer view
    CHECK_IN = "check_in"  # scan and mark entries used or unused
    VIEW_OCCUPANCY = "view_occupancy"  # time slots: sold, used, capacity, the list
    EDIT_KB = "edit_kb"  # write and switch off knowledge-base articles
    MANAGE_SETTINGS = "manage_settings"  # general, calendar, refund windows and terms
    MANAGE_MEMBERS = "manage_members"
    MANAGE_TOKENS = "manage_tokens"


_OWNER, _AGENT, _DOOR, _VIEWER = Role.OWNER, Role.AGENT, Role.DOOR, Role.VIEWER

# The table. A new page or action picks one of these, or adds a line here.
ROLES: dict[Cap, frozenset[str]] = {
    Cap.SEARCH: frozenset({_OWNER, _AGENT, _DOOR, _VIEWER}),
    Cap.VIEW_ORDERS: frozenset({_OWNER, _AGENT, _VIEWER}),
    Cap.ACT_ON_ORDERS: frozenset({_OWNER, _AGENT}),
    Cap.VIEW_TICKETS: frozenset({_OWNER, _AGENT, _VIEWER}),
    Cap.ACT_ON_TICKETS: frozenset({_OWNER, _AGENT}),
    Cap.VIEW_CUSTOMERS: frozenset({_OWNER, _AGENT, _VIEWER}),
    Cap.CHECK_IN: frozenset({_OWNER, _AGENT, _DOOR}),
    Cap.VIEW_OCCUPANCY: frozenset({_OWNER, _AGENT, _DOOR, _VIEWER}),
    Cap.EDIT_KB: frozenset({_OWNER, _AGENT}),
    Cap.MANAGE_SETTINGS: frozenset({_OWNER}),
    Cap.MANAGE_MEMBERS: frozenset({_OWNER}),
    Cap.MANAGE_TOKENS: frozenset({_OWNER}),
}
assert set(ROLES) == set(Cap), "every capability needs its roles"


def roles_for(*caps: Cap) -> frozenset[str]:
    """The roles that have every one of `caps`."""
    return frozenset.intersection(*(ROLES[c] for c in caps))


def caps_of(role: str | None) -> frozenset[Cap]:
    return frozenset(c for c, roles in ROLES.items() if role in roles)


class Capabilities:
    """A role's capabilities for templates: `can.act_on_orders` is True or False. A name
    that is not a capability raises instead of quietly hiding a button (a typo in a
    template would otherwise look like a permission)."""

    def __init__(self, caps: Iterable[Cap]):
        self._caps = frozenset(caps)

    def __getitem__(self, name: str) -> bool:
        try:
            cap = Cap(name)
        except ValueError:
            raise LookupError(f"{name!r} is not a capability; see backoffice/permissions.py"
                              ) from None
        return cap in self._caps

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __contains__(self, cap: str) -> bool:
        return self[cap]

    def __repr__(self) -> str:
        return f"Capabilities({sorted(self._caps)})"
