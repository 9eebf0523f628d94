"""Request and response bodies of the tickets API, and the one place a ticket becomes a
response dict. Kept apart from `schemas.py` so the tickets surface reads as one piece."""

import re
from datetime import datetime
from typing import Annotated, Literal

from ninja import Path, Schema
from pydantic import AfterValidator, Field, StringConstraints

from postsale.api.presenters import email_warnings
from postsale.api.schemas import MAX_ID, PRINTABLE, In, ItemKey, WarningOut, text
from postsale.tickets.models import Message, Ticket, TicketType
from postsale.tickets.services import MAX_BODY

TicketNumber = Annotated[str, Path(max_length=32, pattern=PRINTABLE, description="TCK-…")]
TypeName = Literal["support", "refund", "cancellation", "return", "exchange"]
StatusName = Literal["open", "new", "in_review", "accepted", "rejected", "closed"]
SideName = Literal["customer", "seller"]
TYPES = ("`support` (help or a question), `refund`, `cancellation` (stop a subscription), "
         "`return` (complaint, withdrawal, missing item) or `exchange`.")
RULES = ("The side decides the rules: a customer's refund request waits 24 business hours "
         "so the sale can be saved, a seller's 5 minutes; a customer closing their own "
         "request withdraws it.")
SIDE = ("Who acts: `seller` (you, an agent) or `customer` (you relay what the customer "
        "asked, e.g. from another helpdesk). " + RULES)

_CONTROL_EXCEPT_NEWLINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control(value: str) -> str:
    if _CONTROL_EXCEPT_NEWLINES.search(value):
        raise ValueError("Remove control characters (such as NUL); line breaks are fine.")
    return value


MessageText = Annotated[str, StringConstraints(max_length=MAX_BODY),
                        AfterValidator(_no_control)]
ITEMS = ("Refunds only: what to refund, keys as in `GET /api/v1/orders/{number}/"
         "refund-eligibility` (`entry:TID-…`, `line:<id>`, `invoice:INV-…`). Omitted: "
         "everything not refunded yet.")


# -- Requests ---------------------------------------------------------------------------

class ReturnLineIn(In):
    line: int = Field(ge=1, le=MAX_ID, description="An order line id (`line:<id>` in the "
                                                   "refund item keys).")
    quantity: int = Field(ge=1, le=10_000, description="At most what was bought.")


class ReturnIn(In):
    kind: Literal["warranty", "withdrawal", "missing"] = Field(
        description="`warranty` complaint, `withdrawal` from the contract, or a `missing` "
                    "item.")
    lines: list[ReturnLineIn] = Field(default_factory=list, max_length=100,
                                      description="Which lines and how many.")
    contact_email: text(254) = Field("", description="Another address to reach the customer "
                                                     "about the return, if any.")
    contact_phone: text(32) = Field("", description="Any common format; stored as E.164.")


class TicketIn(In):
    order: text(32, min_length=1) = Field(description="The order's number, PID-…")
    type: TypeName = Field(description=TYPES)
    body: MessageText = Field(description="The first message, as the customer (or the "
                                          "seller) wrote it.")
    subject: text(200) = Field("", description="Empty: the type's name.")
    opened_by: SideName = Field(
        "customer", description="`customer` (you relay the customer's request, as an "
                                "operator taking a call does) or `seller`. " + RULES)
    items: list[ItemKey] | None = Field(None, min_length=1, max_length=200, description=ITEMS)
    return_details: ReturnIn | None = Field(None, description="Returns only.")


class MessageIn(In):
    body: MessageText = Field(description="The message.")
    side: SideName = Field("seller", description=SIDE)
    internal: bool = Field(False, description="An internal note: agents only, e-mails "
                                              "nobody, moves no timer. Seller side only.")


class TypeIn(In):
    type: TypeName = Field(description=TYPES)
    side: SideName = Field("seller", description=SIDE)
    items: list[ItemKey] | None = Field(None, min_length=1, max_length=200, description=ITEMS)


class CloseIn(In):
    side: SideName = Field("seller", description=SIDE)
    body: MessageText = Field("", description="A last message, optional.")


# -- Responses --------------------------------------------------------------------------

class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int = Field(description="Bytes.")


class MessageOut(Schema):
    id: int
    side: Literal["customer", "seller", "system"] = Field(
        description="`system`: an automatic step recorded in the conversation.")
    author: str = Field(description="The name shown with the message.")
    body: str
    internal: bool = Field(description="An internal note, never shown to the customer.")
    created_at: datetime
    attachments: list[AttachmentOut]


class RefundRequestOut(Schema):
    items: list[str] | None = Field(description="Item keys asked for; null: the whole "
                                                "order.")
    amount: int | None = Field(description="Minor units after the fee, decided when asked "
                                           "(null for a cancellation).")
    fee: int | None = Field(description="Minor units.")
    currency: str
    reasons: list[str] = Field(description="The eligibility reasons, as the customer saw "
                                           "them.")
    requested_at: datetime
    process_at: datetime | None = Field(
        description="When it is processed unless the ticket is closed or changed first; "
                    "null once processed or dropped.")
    refund: str | None = Field(description="RFD-… once processed.")


class ReturnLineOut(Schema):
    line: int
    quantity: int


class ReturnOut(Schema):
    kind: Literal["", "warranty", "withdrawal", "missing"]
    lines: list[ReturnLineOut]
    contact_email: str
    contact_phone: str


class TicketSummaryOut(Schema):
    number: str = Field(description="TCK-…")
    order: str = Field(description="PID-…")
    type: TypeName
    status: StatusName = Field(description="`open` (any type but returns); a return moves "
                                           "`new → in_review → accepted | rejected`; then "
                                           "`closed`.")
    resolution: Literal["solved", "refunded", "canceled", "withdrawn", "saved", "inactive",
                        "accepted", "rejected"] | None = Field(
        description="Why it closed; null while open.")
    subject: str
    opened_by: SideName
    channel: Literal["portal", "backoffice", "phone", "api"] = Field(
        description="Where it was opened.")
    waiting_on: SideName | None = Field(description="Whose move it is; null when closed.")
    previous: str | None = Field(description="TCK-… this one follows up, if any.")
    created_at: datetime
    updated_at: datetime
    last_public_at: datetime = Field(description="The last public action; the inactivity "
                                                 "timers count from it.")
    closed_at: datetime | None
    closed_by: Literal["customer", "seller", "system"] | None
    due_step: Literal["process", "warn", "close"] | None = Field(
        description="The next automatic step: `process` the refund or cancellation, "
                    "`warn` about inactivity, `close` for inactivity; null: none.")
    due_at: datetime | None = Field(description="When `due_step` runs.")
    refund_request: RefundRequestOut | None = Field(
        description="The refund or cancellation request, decided when it was asked.")
    return_details: ReturnOut | None = Field(description="What is returned (returns).")
    warnings: list[WarningOut] = Field(
        default_factory=list, description="Accepted, but worth checking (a return's "
                                          "contact e-mail that looks mistyped).")


class TicketOut(TicketSummaryOut):
    messages: list[MessageOut] = Field(description="Oldest first, internal notes included "
                                                   "(`internal: true`).")


class TicketPage(Schema):
    items: list[TicketSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on "
                                                "the last page.")


class MessagePosted(Schema):
    message: MessageOut
    ticket: TicketOut = Field(description="The ticket the message is on: a customer's "
                                          "reply to a ticket closed long ago opens a new "
                                          "one (its `previous` is the old one).")


# -- Presenters -------------------------------------------------------------------------

def message_out(message: Message) -> dict:
    """Expects `attachments` prefetched (see `conversation`)."""
    return {"id": message.pk, "side": message.side, "author": message.author_name,
            "body": message.body, "internal": message.internal,
            "created_at": message.created_at,
            "attachments": [{"id": a.pk, "name": a.name, "content_type": a.content_type,
                             "size": a.size} for a in message.attachments.all()]}


def _request_out(ticket: Ticket) -> dict | None:
    if ticket.requested_at is None:
        return None
    return {"items": ticket.refund_keys, "amount": ticket.refund_amount,
            "fee": ticket.refund_fee, "currency": ticket.order.currency,
            "reasons": list(ticket.refund_reasons), "requested_at": ticket.requested_at,
            "process_at": ticket.process_at,
            "refund": ticket.refund.number if ticket.refund_id else None}


def _return_out(ticket: Ticket) -> dict | None:
    if ticket.type != TicketType.RETURN and not ticket.return_kind:
        return None
    return {"kind": ticket.return_kind, "lines": list(ticket.return_lines),
            "contact_email": ticket.contact_email, "contact_phone": ticket.contact_phone}


def ticket_out(ticket: Ticket, messages=None) -> dict:
    """A ticket; with `messages` (its conversation) the full one. Expects `order`,
    `refund` and `previous` loaded or cheap to load."""
    out = {
        "number": ticket.number, "order": ticket.order.number, "type": ticket.type,
        "status": ticket.status, "resolution": ticket.resolution or None,
        "subject": ticket.subject, "opened_by": ticket.opened_by, "channel": ticket.channel,
        "waiting_on": None if ticket.is_closed else str(ticket.waiting_on),
        "previous": ticket.previous.number if ticket.previous_id else None,
        "created_at": ticket.created_at, "updated_at": ticket.updated_at,
        "last_public_at": ticket.last_public_at, "closed_at": ticket.closed_at,
        "closed_by": ticket.closed_by or None, "due_step": ticket.due_step or None,
        "due_at": ticket.due_at, "refund_request": _request_out(ticket),
        "return_details": _return_out(ticket),
        "warnings": email_warnings("return_details.contact_email", ticket.contact_email),
    }
    if messages is not None:
        out["messages"] = [message_out(m) for m in messages]
    return out
