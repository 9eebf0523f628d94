"""Demo support tickets, made with the real ticket services at moments in the past, so
the back office shows every situation: a refund request counting down, tickets waiting
on each side, a return, a request the seller closed (on the operator's review list), a
solved ticket — and one request already due, which the worker processes at start."""

from datetime import datetime, timedelta

from postsale.core.audit import SYSTEM, Actor
from postsale.orders.models import Order, OrderStatus
from postsale.payments.eligibility import refund_eligibility
from postsale.payments.rules import RequestedBy
from postsale.sellers.models import SalesChannel, Seller
from postsale.tickets.assignment import RuleDraft, assignment_rule_create, consultants_of
from postsale.tickets.models import Channel, Side
from postsale.tickets.services import (
    ReturnDetails,
    ticket_change_type,
    ticket_close,
    ticket_open,
    ticket_reply,
)

AGENT = Actor("user", "agent")

# What customers write, in their language (the demo's customers speak these).
ASK = {
    "pl": ("Nie dostałam e-maila z biletami.", "Proszę o zwrot, nie mogę przyjść.",
           "Brakuje jednego biletu w zamówieniu."),
    "it": ("Non ho ricevuto l'e-mail con i biglietti.", "Vorrei un rimborso, non posso venire.",
           "Manca un biglietto nell'ordine."),
    "uk": ("Я не отримала листа з квитками.", "Прошу повернути гроші, не можу прийти.",
           "У замовленні бракує одного квитка."),
    "he": ("לא קיבלתי את המייל עם הכרטיסים.", "אבקש החזר, אני לא יכולה להגיע.",
           "חסר כרטיס אחד בהזמנה."),
    "en": ("I did not receive the e-mail with my entries.",
           "I would like a refund, I cannot come.", "One entry is missing from my order."),
}


def _ask(order: Order, i: int) -> str:
    return ASK.get(order.language, ASK["en"])[i]


def _assignment_rules(seller: Seller, *, now: datetime) -> None:
    """New tickets are shared among the demo's owner and agent in turn; box-office returns
    go to the first of them, the one responsible for that channel."""
    team = list(consultants_of(seller))
    if not team:  # the demo's usernames were taken on this installation
        return
    box_office = SalesChannel.objects.get(seller=seller, code="box-office")
    for channel, type, people in ((box_office, "return", team[:1]), (None, "", team)):
        assignment_rule_create(seller=seller, actor=SYSTEM, now=now, draft=RuleDraft(
            channel=channel, type=type, consultants=people))


def load_demo_tickets(seller: Seller, *, now: datetime) -> int:
    _assignment_rules(seller, now=now)
    orders = list(Order.objects.filter(seller=seller, status=OrderStatus.PAID,
                                       created_at__gte=now - timedelta(days=40),
                                       subscriptions__isnull=True)
                  .select_related("customer").order_by("-created_at")[:60])
    customer = Actor("customer", "demo")

    def pick(refundable_at: datetime | None = None) -> Order:
        for order in orders:
            if refundable_at is None or refund_eligibility(
                    order=order, by=RequestedBy.CUSTOMER, at=refundable_at).allowed:
                orders.remove(order)
                return order
        raise LookupError("The demo has too few paid orders for its tickets.")

    def open_(order, type, text, at, side=Side.CUSTOMER, **kwargs):
        return ticket_open(order=order, type=type, body=text, side=side,
                           channel=Channel.PORTAL if side == Side.CUSTOMER
                           else Channel.BACKOFFICE,
                           actor=customer if side == Side.CUSTOMER else AGENT, now=at,
                           **kwargs)

    # A refund request counting down (opened two hours ago).
    at = now - timedelta(hours=2)
    order = pick(at)
    open_(order, "refund", _ask(order, 1), at)
    # Waiting on the seller for two days: the first inactivity warning is due.
    order = pick()
    open_(order, "support", _ask(order, 0), now - timedelta(hours=49))
    # Waiting on the customer: the seller answered yesterday.
    order = pick()
    t = open_(order, "support", _ask(order, 0), now - timedelta(days=2))
    ticket_reply(ticket=t, side=Side.SELLER, actor=AGENT, now=now - timedelta(days=1),
                 body="We have sent the entries again. Please check the spam folder too.")
    # Solved and closed.
    order = pick()
    t = open_(order, "support", _ask(order, 0), now - timedelta(days=9))
    ticket_reply(ticket=t, side=Side.SELLER, actor=AGENT, now=now - timedelta(days=9, hours=-1),
                 body="The address had a typo; we corrected it and sent the entries again.")
    ticket_close(ticket=t, side=Side.CUSTOMER, actor=customer, now=now - timedelta(days=8))
    # A refund request the seller closed after talking to the customer: for review.
    at = now - timedelta(hours=20)
    order = pick(at)
    t = open_(order, "refund", _ask(order, 1), at)
    ticket_reply(ticket=t, side=Side.SELLER, actor=AGENT, now=now - timedelta(hours=19),
                 body="We can move your visit to another day at no cost, if you like.")
    ticket_close(ticket=t, side=Side.SELLER, actor=AGENT, now=now - timedelta(hours=18))
    # A support ticket the customer turned into a refund request.
    order = pick(now - timedelta(hours=5))
    t = open_(order, "support", _ask(order, 0), now - timedelta(hours=6))
    ticket_change_type(ticket=t, type="refund", side=Side.CUSTOMER, actor=customer,
                       now=now - timedelta(hours=5))
    # A return with one missing item.
    order = pick()
    open_(order, "return", _ask(order, 2), now - timedelta(days=1),
          details=ReturnDetails(kind="missing", lines=[{"line": order.lines.first().pk,
                                                       "quantity": 1}],
                                contact_email=order.email))
    # A request asked six days ago: due, processed when the worker starts.
    at = now - timedelta(days=6)
    order = pick(at)
    open_(order, "refund", _ask(order, 1), at)
    return 8
