from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Header, Query, Router, Status

from postsale.api.auth import actor_of, require_scope
from postsale.api.errors import ERRORS
from postsale.api.idempotency import run_idempotent
from postsale.api.pagination import page
from postsale.api.presenters import order_out
from postsale.api.schemas import OrderIn, OrderOut, OrderPage
from postsale.orders.drafts import CustomerDraft, LineDraft, OrderDraft, PaymentDraft
from postsale.orders.selectors import order_get, order_list, orders_with_details
from postsale.payments.services import order_submit

router = Router(tags=["orders"])


def _draft(body: OrderIn) -> OrderDraft:
    return OrderDraft(
        channel=body.channel, currency=body.currency, external_id=body.external_id,
        customer=CustomerDraft(**body.customer.model_dump()),
        lines=[LineDraft(**line.model_dump()) for line in body.lines],
        answers=dict(body.answers),
        payment=PaymentDraft(**body.payment.model_dump()) if body.payment else None)


@router.post("/orders", response={200: OrderOut, 201: OrderOut, **ERRORS},
             summary="Create an order (idempotent)")
def create_order(request: HttpRequest, body: OrderIn,
                 idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """Creates an order; its entries become valid when a payment is confirmed.

    Idempotent two ways: the same `Idempotency-Key` replays the first response (another body
    under that key is a 422), and the same `external_id` on a channel returns the existing
    order with 200 (other content under that id is a 409)."""
    token = require_scope(request, "orders:write")

    def work():
        order, created = order_submit(seller=token.seller, draft=_draft(body),
                                      actor=actor_of(token), source=f"api:{token.prefix}")
        order = order_get(seller=token.seller, number=order.number)
        return (201 if created else 200), order_out(order)

    status, response = run_idempotent(seller=token.seller, key=idempotency_key,
                                      operation="orders.create",
                                      payload=body.model_dump(mode="json"), work=work)
    return Status(status, response)




@router.get("/orders", response={200: OrderPage, **ERRORS}, summary="List orders")
def list_orders(
    request: HttpRequest,
    status: Literal["awaiting_payment", "paid", "partially_refunded", "refunded", "canceled",
                    "expired"] | None = None,
    channel: str | None = Query(None, max_length=50),
    email: str | None = Query(None, max_length=254),
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(50, ge=1, le=200),
):
    """Newest first, filtered; follow `next_cursor` for more."""
    token = require_scope(request, "orders:read")
    qs = order_list(seller=token.seller, status=status, channel=channel, email=email,
                    created_from=created_from, created_to=created_to)
    items, next_cursor = page(orders_with_details(qs), cursor=cursor, limit=limit)
    return Status(200, {"items": [order_out(o) for o in items], "next_cursor": next_cursor})


@router.get("/orders/{number}", response={200: OrderOut, **ERRORS}, summary="Read an order")
def read_order(request: HttpRequest, number: str):
    token = require_scope(request, "orders:read")
    return Status(200, order_out(order_get(seller=token.seller, number=number)))
