"""Exchanges: move an entry to another time slot (SPEC §4.4) — quote, then exchange.
Every write goes through `postsale.payments.exchanges.exchange_create`, the service the
back office uses too."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Header, Query, Router, Status

from postsale.api.auth import actor_of, require_scope
from postsale.api.errors import errors
from postsale.api.idempotency import MAX_KEY_LENGTH, run_idempotent
from postsale.api.presenters import exchange_out, exchange_quote_out
from postsale.api.schemas import (
    MAX_ID,
    PRINTABLE,
    By,
    ExchangeIn,
    ExchangeOut,
    ExchangeQuoteOut,
    OrderNumber,
)
from postsale.payments.exchanges import exchange_create, exchange_quote
from postsale.payments.models import Exchange
from postsale.payments.rules import RequestedBy

router = Router(tags=["exchanges"])

NOT_FOUND = ("`order_not_found`: no order with this number for this token's seller; "
             "`entry_not_found`: the order has no such entry; `time_slot_not_found`: no such "
             "time slot of this seller.")
BY = ("Whose terms apply: `customer` (the product's deadline before the time slot, the "
      "exchange fee) or `seller` (neither).")

QUOTE_ERRORS, QUOTE_DOCS = errors(
    401, 403, 404, 422, e404=NOT_FOUND,
    e422="Invalid query (`fields` names the parameter).")
CREATE_ERRORS, CREATE_DOCS = errors(
    400, 401, 403, 404, 409, 413, 422, 503, e404=NOT_FOUND,
    e409="`slot_full`: the time slot has no place left (choose another); "
         "`already_exchanging`: the entry is already being exchanged.",
    e422="`not_exchangeable`: the rules do not allow it; `message` gives the reasons in the "
         "customer's words. `invalid`: bad input (`fields`). `idempotency_key_reused`: the "
         "`Idempotency-Key` was used with another request.",
    e503="`provider_unavailable`: the payment link for the difference could not be made; "
         "nothing changed, try again in a few minutes.")
CREATE_DOCS["responses"] |= {
    201: {"description": "The exchange was made (or this is a replay of that answer): "
                         "`completed`, or `awaiting_payment` of the difference."}}


@router.get("/orders/{number}/exchange-quote",
            response={200: ExchangeQuoteOut, **QUOTE_ERRORS}, openapi_extra=QUOTE_DOCS,
            summary="Quote an exchange")
def quote_exchange(
    request: HttpRequest, number: OrderNumber,
    entry: str = Query(..., max_length=16, pattern=PRINTABLE, description="TID-…"),
    time_slot: int = Query(..., ge=1, le=MAX_ID, description="The TimeSlot id to move to."),
    by: Annotated[By, Query(description=BY)] = "seller",
):
    """Whether the entry may move to the time slot now, the price difference and places
    left, with the reasons in the customer's words. Changes nothing. Needs the
    `exchanges:write` scope."""
    token = require_scope(request, "exchanges:write")
    quote = exchange_quote(seller=token.seller, order_number=number, entry_number=entry,
                           time_slot_id=time_slot, by=RequestedBy(by))
    return Status(200, exchange_quote_out(quote))


@router.post("/orders/{number}/exchanges", response={201: ExchangeOut, **CREATE_ERRORS},
             openapi_extra=CREATE_DOCS, summary="Exchange an entry for another time slot")
def create_exchange(
    request: HttpRequest, body: ExchangeIn, number: OrderNumber,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=MAX_KEY_LENGTH, pattern=PRINTABLE,
        description="Any unique string (a UUID). A repeat with the same key and body gets "
                    "the first response again; another request under the key is a 422."),
):
    """Moves the entry to another time slot of the same product (or of a product in the
    same exchange group). The place is taken at once. When the new time costs no more, the
    old entry is void and the new one valid now, and a lower price is refunded; when it
    costs more, the customer pays the difference (`payment_link`, or a bank transfer with
    `reference`) and the new entry becomes valid once that payment is reported. Refused
    with the reasons (see `exchange-quote`). Needs the `exchanges:write` scope."""
    token = require_scope(request, "exchanges:write")

    def work():
        exchange = exchange_create(seller=token.seller, order_number=number,
                                   entry_number=body.entry, time_slot_id=body.time_slot,
                                   by=RequestedBy(body.by), actor=actor_of(token))
        exchange = (Exchange.objects.select_related("old_entry", "new_entry__time_slot",
                                                    "refund").get(pk=exchange.pk))
        return 201, exchange_out(exchange)

    status, response = run_idempotent(
        seller=token.seller, key=idempotency_key, operation="exchanges.create",
        payload={"order": number, **body.model_dump(mode="json")}, work=work)
    return Status(status, response)
