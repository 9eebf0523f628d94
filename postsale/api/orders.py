from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Header, Path, Query, Router, Status

from postsale.api.auth import actor_of, require_scope
from postsale.api.errors import errors
from postsale.api.idempotency import MAX_KEY_LENGTH, run_idempotent
from postsale.api.pagination import page
from postsale.api.presenters import order_out
from postsale.api.schemas import PRINTABLE, Moment, OrderIn, OrderOut, OrderPage
from postsale.orders.drafts import CustomerDraft, LineDraft, OrderDraft, PaymentDraft
from postsale.orders.selectors import order_get, order_list, orders_with_details
from postsale.payments.services import order_submit

router = Router(tags=["orders"])

CREATE_ERRORS, CREATE_DOCS = errors(
    400, 401, 403, 409, 413, 422,
    e409="`external_id_reused`: this channel's `external_id` already belongs to an order "
         "with other content; `transaction_belongs_to_other_order`: the payment's "
         "transaction id is another order's.",
    e422="Invalid input; `fields` lists each problem by path (`lines[0].quantity`, "
         "`customer.email`). `idempotency_key_reused`: the `Idempotency-Key` was used with "
         "another body.")
LIST_ERRORS, LIST_DOCS = errors(401, 403, 422,
                                e422="Invalid filter, `limit` outside 1–200, or a bad cursor.")
READ_ERRORS, READ_DOCS = errors(401, 403, 404, 422,
                                e404="No order with this number for this token's seller "
                                     "(`order_not_found`).",
                                e422="Not an order number (control characters, or longer "
                                     "than 32 characters).")
CREATE_DOCS["responses"] |= {
    201: {"description": "The order was created (or this is a replay of that answer)."},
    200: {"description": "An order with this `external_id` exists on the channel with the "
                         "same content: here it is, unchanged."}}


def _draft(body: OrderIn) -> OrderDraft:
    return OrderDraft(
        channel=body.channel, currency=body.currency, external_id=body.external_id,
        customer=CustomerDraft(**body.customer.model_dump()),
        lines=[LineDraft(**line.model_dump()) for line in body.lines],
        answers=dict(body.answers),
        payment=PaymentDraft(**body.payment.model_dump()) if body.payment else None)


@router.post("/orders", response={200: OrderOut, 201: OrderOut, **CREATE_ERRORS},
             openapi_extra=CREATE_DOCS, summary="Create an order (idempotent)")
def create_order(
    request: HttpRequest, body: OrderIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=MAX_KEY_LENGTH, pattern=PRINTABLE,
        description="Any unique string (a UUID). A repeat with the same key and body gets "
                    "the first response again; another body under the key is a 422."),
):
    """Creates an order (201); its entries become valid when a payment is confirmed.
    Needs the `orders:write` scope.

    Idempotent two ways: the same `Idempotency-Key` replays the first response (another body
    under that key is a 422), and the same `external_id` on a channel returns the existing
    order with 200 (other content under that id is a 409)."""
    token = require_scope(request, "orders:write")

    def work():
        order, created = order_submit(seller=token.seller, draft=_draft(body),
                                      actor=actor_of(token), source=f"api:{token.prefix}")
        return (201 if created else 200), order_out(order_get(seller=token.seller,
                                                              number=order.number))

    status, response = run_idempotent(seller=token.seller, key=idempotency_key,
                                      operation="orders.create",
                                      payload=body.model_dump(mode="json"), work=work)
    return Status(status, response)


@router.get("/orders", response={200: OrderPage, **LIST_ERRORS}, openapi_extra=LIST_DOCS,
            summary="List orders")
def list_orders(
    request: HttpRequest,
    status: Literal["awaiting_payment", "paid", "partially_refunded", "refunded", "canceled",
                    "expired"] | None = None,
    channel: str | None = Query(None, max_length=50, pattern=PRINTABLE,
                                description="Sales channel code."),
    email: str | None = Query(None, max_length=254, pattern=PRINTABLE,
                              description="The order's e-mail, any case."),
    created_from: Annotated[Moment | None, Query(
        description="Created at or after (UTC if no offset is given).")] = None,
    created_to: Annotated[Moment | None, Query(description="Created before.")] = None,
    cursor: str | None = Query(None, max_length=200,
                               description="`next_cursor` of the previous page."),
    limit: int = Query(50, ge=1, le=200),
):
    """Newest first, filtered (filters combine); follow `next_cursor` for more. Needs the
    `orders:read` scope."""
    token = require_scope(request, "orders:read")
    qs = order_list(seller=token.seller, status=status, channel=channel, email=email,
                    created_from=created_from, created_to=created_to)
    items, next_cursor = page(orders_with_details(qs), cursor=cursor, limit=limit)
    return Status(200, {"items": [order_out(o) for o in items], "next_cursor": next_cursor})


@router.get("/orders/{number}", response={200: OrderOut, **READ_ERRORS},
            openapi_extra=READ_DOCS, summary="Read an order")
def read_order(request: HttpRequest,
               number: str = Path(..., max_length=32, pattern=PRINTABLE,
                                  description="PID-…")):
    """One order of this token's seller. Needs the `orders:read` scope."""
    token = require_scope(request, "orders:read")
    return Status(200, order_out(order_get(seller=token.seller, number=number)))
