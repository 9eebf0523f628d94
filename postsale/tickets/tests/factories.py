from postsale.core.audit import Actor
from postsale.tickets.models import Channel, Side
from postsale.tickets.services import ticket_open

CUSTOMER = Actor("customer", "test")
AGENT = Actor("user", "agent")


def open_ticket(order, *, type="support", side=Side.CUSTOMER, body="Please help.", now=None,
                **kwargs):
    channel = Channel.PORTAL if side == Side.CUSTOMER else Channel.BACKOFFICE
    actor = CUSTOMER if side == Side.CUSTOMER else AGENT
    return ticket_open(order=order, type=type, body=body, side=side, channel=channel,
                       actor=actor, now=now, **kwargs)
