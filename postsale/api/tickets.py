"""Support tickets (SPEC §4): open, list, read, reply, change the type, close — so another
helpdesk can drive them. Every write goes through `postsale.tickets.services`, the same
services the back office and the order page use. The API is the seller's: it sees
internal notes and may act for either side."""

import hashlib
import json
from typing import Annotated

from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status
from ninja.errors import ValidationError
from pydantic import ValidationError as PydanticValidationError

from postsale.api.auth import actor_of, require_scope
from postsale.api.errors import errors
from postsale.api.idempotency import MAX_KEY_LENGTH, run_idempotent
from postsale.api.pagination import page
from postsale.api.schemas import PRINTABLE
from postsale.api.ticket_schemas import (
    CloseIn,
    MessageIn,
    MessagePosted,
    ReturnIn,
    StatusName,
    TicketIn,
    TicketNumber,
    TicketOut,
    TicketPage,
    TypeIn,
    TypeName,
    message_out,
    ticket_out,
)
from postsale.core.contact import normalize_email, normalize_phone
from postsale.core.errors import DomainError, Invalid, NotFound
from postsale.orders.selectors import order_get
from postsale.tickets.attachments import CheckedFile, check_attachments
from postsale.tickets.models import Channel, Message, Ticket, TicketStatus, TicketType
from postsale.tickets.selectors import conversation, ticket_get, tickets_for_seller
from postsale.tickets.services import (
    ReturnDetails,
    ticket_change_type,
    ticket_close,
    ticket_open,
    ticket_reply,
)

router = Router(tags=["tickets"])

NOT_FOUND = "`ticket_not_found`: no ticket with this number for this token's seller."
NOT_REFUNDABLE = ("`not_refundable`: the order (or the items) may not be refunded now; "
                  "`message` gives the reasons in the customer's words and nothing was "
                  "stored. `no_subscription`: a cancellation needs an active subscription.")
IDEMPOTENCY_KEY = ("Any unique string (a UUID). A repeat with the same key and body gets "
                   "the first response again; another request under the key is a 422.")

OPEN_ERRORS, OPEN_DOCS = errors(
    400, 401, 403, 404, 409, 413, 422,
    e404="`order_not_found`: no order with this number for this token's seller.",
    e409="`request_open`: the order already has an open refund or cancellation ticket "
         "(`message` names it); reply there instead.",
    e422=f"`invalid`: bad input, `fields` names each problem (unknown `type`, empty `body`, "
         f"`items` not of this order or with a type other than `refund`, `return_details` "
         f"with a type other than `return`, return lines not of this order). "
         f"{NOT_REFUNDABLE} `invalid_email`, `invalid_phone`: the return's contact. "
         f"`idempotency_key_reused`: the `Idempotency-Key` was used with another request.")
OPEN_DOCS["responses"] |= {201: {"description": "The ticket was opened and both sides were "
                                                "e-mailed (or this is a replay of that "
                                                "answer)."}}
LIST_ERRORS, LIST_DOCS = errors(401, 403, 422,
                                e422="Invalid filter, `limit` outside 1–200, or a bad cursor.")
READ_ERRORS, READ_DOCS = errors(401, 403, 404, 422, e404=NOT_FOUND,
                                e422="Not a ticket number (control characters, or longer "
                                     "than 32 characters).")
MESSAGE_ERRORS, MESSAGE_DOCS = errors(
    400, 401, 403, 404, 409, 413, 422, e404=NOT_FOUND,
    e400="The body is not JSON, or not readable multipart (`malformed`).",
    e403="`missing_scope`: the token lacks `tickets:write`. `forbidden`: only the seller "
         "writes internal notes (`side: seller`).",
    e409="`ticket_closed`: the seller cannot write on a closed ticket; open a new one. (A "
         "customer's reply reopens a recently closed ticket, or opens a follow-up.)",
    e413="The JSON body or the form fields are too large (`too_large`); files are "
         "checked one by one (422).",
    e422="`invalid`: bad input (`fields`), e.g. an empty `body` or too many files. "
         "`unsupported_file`: a file is not an image, PDF or plain text, or is unreadable. "
         "`idempotency_key_reused`: the `Idempotency-Key` was used with another request.")
MESSAGE_DOCS["responses"] |= {201: {"description": "The message was added (public replies "
                                                   "are e-mailed to both sides), or this is "
                                                   "a replay of that answer."}}
TYPE_ERRORS, TYPE_DOCS = errors(
    400, 401, 403, 404, 409, 413, 422, e404=NOT_FOUND,
    e409="`ticket_closed`: the ticket is closed. `same_type`: it already has this type. "
         "`request_open`: another ticket of the order already asks for a refund or "
         "cancellation.",
    e422=f"`invalid`: bad input (`fields`), e.g. an unknown `type`, or `items` with a type "
         f"other than `refund`. {NOT_REFUNDABLE}")
CLOSE_ERRORS, CLOSE_DOCS = errors(
    400, 401, 403, 404, 409, 413, 422, e404=NOT_FOUND,
    e409="`ticket_closed`: the ticket is already closed.",
    e422="`invalid`: bad input (`fields`), e.g. a `body` that is too long.")


def _ticket(token, number: str) -> Ticket:
    try:
        return ticket_get(seller=token.seller, number=number)
    except NotFound:
        raise NotFound(_("No ticket %(number)s for this seller.") % {"number": number},
                       code="ticket_not_found") from None


def _detail(ticket: Ticket) -> dict:
    ticket = Ticket.objects.select_related("order", "refund", "previous").get(pk=ticket.pk)
    return ticket_out(ticket, conversation(ticket, internal=True))


def _items_only_for_refunds(type: str, items: list[str] | None) -> None:
    if items is not None and type != TicketType.REFUND:
        raise Invalid(_("Only a refund request names items."),
                      {"items": _("Leave this out unless the type is refund.")})


def _return_details(seller, type: str, details: ReturnIn | None) -> ReturnDetails | None:
    if details is None:
        return None
    if type != TicketType.RETURN:
        raise Invalid(_("Only a return has return details."),
                      {"return_details": _("Leave this out unless the type is return.")})
    field = "return_details.contact_%s"
    return ReturnDetails(
        kind=details.kind, lines=[line.model_dump() for line in details.lines],
        contact_email=normalize_email(details.contact_email, field=field % "email")
        if details.contact_email else "",
        contact_phone=normalize_phone(details.contact_phone, country=seller.country,
                                      field=field % "phone"))


def _in_return_details(exc: Invalid) -> Invalid:
    """The service names return lines `lines[i]`; in this API they are in `return_details`."""
    exc.field_errors = {(f"return_details.{k}" if k.startswith("lines[") else k): v
                        for k, v in exc.field_errors.items()}
    return exc


@router.post("/tickets", response={201: TicketOut, **OPEN_ERRORS}, openapi_extra=OPEN_DOCS,
             summary="Open a ticket (idempotent)")
def open_ticket(
    request: HttpRequest, body: TicketIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                         max_length=MAX_KEY_LENGTH, pattern=PRINTABLE,
                                         description=IDEMPOTENCY_KEY),
):
    """Opens a ticket about an order, with its first message; both sides are e-mailed.
    Needs the `tickets:write` scope.

    A `refund` or `cancellation` ticket is a request: eligibility and the amount are
    decided now (refused with the reasons when nothing may be refunded) and it is
    processed automatically at `refund_request.process_at` — 24 business hours after a
    customer asked, 5 minutes after a seller did — unless it is closed or changed to
    another type first. A `return` takes `return_details`."""
    token = require_scope(request, "tickets:write")
    _items_only_for_refunds(body.type, body.items)
    details = _return_details(token.seller, body.type, body.return_details)

    def work():
        order = order_get(seller=token.seller, number=body.order)
        try:
            ticket = ticket_open(order=order, type=body.type, body=body.body,
                                 side=body.opened_by, channel=Channel.API,
                                 actor=actor_of(token), subject=body.subject, keys=body.items,
                                 details=details)
        except Invalid as exc:
            raise _in_return_details(exc) from None
        return 201, _detail(ticket)

    status, response = run_idempotent(seller=token.seller, key=idempotency_key,
                                      operation="tickets.open",
                                      payload=body.model_dump(mode="json"), work=work)
    return Status(status, response)


@router.get("/tickets", response={200: TicketPage, **LIST_ERRORS}, openapi_extra=LIST_DOCS,
            summary="List tickets")
def list_tickets(
    request: HttpRequest,
    type: TypeName | None = None,
    status: StatusName | None = None,
    order: str | None = Query(None, max_length=32, pattern=PRINTABLE,
                              description="Only this order's tickets (PID-…)."),
    open: Annotated[bool | None, Query(
        description="`true`: only tickets not closed; `false`: only closed ones.")] = None,
    cursor: str | None = Query(None, max_length=200,
                               description="`next_cursor` of the previous page."),
    limit: int = Query(50, ge=1, le=200),
):
    """Newest first, filtered (filters combine), without the conversation; follow
    `next_cursor` for more. Needs the `tickets:read` scope."""
    token = require_scope(request, "tickets:read")
    qs = tickets_for_seller(token.seller, type=type or "", status=status or "",
                            order_number=order or "", open_only=open is True)
    if open is False:
        qs = qs.filter(status=TicketStatus.CLOSED)
    items, next_cursor = page(qs.select_related("refund", "previous"), cursor=cursor,
                              limit=limit)
    return Status(200, {"items": [ticket_out(t) for t in items], "next_cursor": next_cursor})


@router.get("/tickets/{number}", response={200: TicketOut, **READ_ERRORS},
            openapi_extra=READ_DOCS, summary="Read a ticket")
def read_ticket(request: HttpRequest, number: TicketNumber):
    """One ticket with its whole conversation (internal notes included and marked), the
    refund request, the return details and the next automatic step. Needs the
    `tickets:read` scope."""
    token = require_scope(request, "tickets:read")
    return Status(200, _detail(_ticket(token, number)))


def _multipart_schema() -> dict:
    schema = MessageIn.model_json_schema()
    schema["properties"]["attachments"] = {
        "type": "array", "items": {"type": "string", "format": "binary"},
        "description": "Images (JPEG, PNG, GIF, WebP), PDF or plain text; by default at "
                       "most 5 files of 10 MB each."}
    return schema


# The body is parsed by hand (see `_message_input`) so JSON and multipart both work.
MESSAGE_DOCS["requestBody"] = {"required": True, "content": {
    "application/json": {"schema": MessageIn.model_json_schema()},
    "multipart/form-data": {"schema": _multipart_schema()}}}


def _message_input(request: HttpRequest) -> tuple[MessageIn, list[CheckedFile]]:
    """A JSON body, or multipart form fields with files in `attachments`."""
    uploads = []
    if request.content_type == "multipart/form-data":
        try:
            data, files = request.POST.dict(), request.FILES
        except (MultiPartParserError, TooManyFilesSent, TooManyFieldsSent):
            raise DomainError(code="malformed", status=400, message=_(
                "The multipart body could not be read. Send form fields and files in "
                "`attachments`, or a JSON object.")) from None
        if set(files) - {"attachments"}:
            raise Invalid(_("Send files in the attachments field."),
                          {name: _("Unknown file field.") for name in files
                           if name != "attachments"})
        uploads = files.getlist("attachments")
    else:
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise DomainError(code="malformed", status=400, message=_(
                "The request body is not valid JSON. Send a JSON object with "
                "`Content-Type: application/json`, or multipart/form-data.")) from None
    try:
        body = MessageIn.model_validate(data)
    except PydanticValidationError as exc:
        # Reported in the one error shape, like the bodies ninja validates.
        raise ValidationError([{**e, "loc": ("body", *e["loc"])}
                               for e in exc.errors(include_url=False)]) from None
    return body, check_attachments(uploads) if uploads else []


@router.post("/tickets/{number}/messages", response={201: MessagePosted, **MESSAGE_ERRORS},
             openapi_extra=MESSAGE_DOCS, summary="Reply, or add an internal note")
def post_message(
    request: HttpRequest, number: TicketNumber,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                         max_length=MAX_KEY_LENGTH, pattern=PRINTABLE,
                                         description=IDEMPOTENCY_KEY),
):
    """A public reply from either side (both are e-mailed; the inactivity timers restart;
    a refund request's processing time does not move) or, with `internal: true`, a note
    for the seller's agents only. Send JSON, or multipart/form-data with the same fields
    and files in `attachments`. Needs the `tickets:write` scope.

    A customer's reply to a closed ticket reopens it when it closed recently and otherwise
    opens a follow-up ticket: `ticket` is the one the message is on."""
    token = require_scope(request, "tickets:write")
    body, files = _message_input(request)
    ticket = _ticket(token, number)

    def work():
        message = ticket_reply(ticket=ticket, side=body.side, body=body.body,
                               actor=actor_of(token), attachments=files,
                               internal=body.internal)
        message = Message.objects.prefetch_related("attachments").get(pk=message.pk)
        return 201, {"message": message_out(message), "ticket": _detail(message.ticket)}

    payload = {"ticket": ticket.number, **body.model_dump(mode="json"),
               "attachments": [[f.name, hashlib.sha256(f.data).hexdigest()] for f in files]}
    status, response = run_idempotent(seller=token.seller, key=idempotency_key,
                                      operation="tickets.reply", payload=payload, work=work)
    return Status(status, response)


@router.post("/tickets/{number}/type", response={200: TicketOut, **TYPE_ERRORS},
             openapi_extra=TYPE_DOCS, summary="Change a ticket's type")
def change_type(request: HttpRequest, body: TypeIn, number: TicketNumber):
    """To `refund` or `cancellation`: a new request, decided and timed now (see opening a
    ticket; the side decides the wait). Away from a request before it is processed: it
    will not be processed — when the seller does that to a customer's request, the
    platform operator reviews it. Needs the `tickets:write` scope."""
    token = require_scope(request, "tickets:write")
    _items_only_for_refunds(body.type, body.items)
    ticket = ticket_change_type(ticket=_ticket(token, number), type=body.type, side=body.side,
                                actor=actor_of(token), keys=body.items)
    return Status(200, _detail(ticket))


@router.post("/tickets/{number}/close", response={200: TicketOut, **CLOSE_ERRORS},
             openapi_extra=CLOSE_DOCS, summary="Close a ticket")
def close_ticket(request: HttpRequest, body: CloseIn, number: TicketNumber):
    """Closes the ticket, with an optional last message; both sides are e-mailed. A refund
    or cancellation request closed before it is processed is not processed: the customer
    closing it withdraws it (`resolution: withdrawn`); the seller closing a customer's
    request saves the sale (`saved`, reviewed by the platform operator). Needs the
    `tickets:write` scope."""
    token = require_scope(request, "tickets:write")
    ticket = ticket_close(ticket=_ticket(token, number), side=body.side, actor=actor_of(token),
                          body=body.body)
    return Status(200, _detail(ticket))
