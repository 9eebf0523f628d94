"""Refunds of an order: what may be refunded and why, request a refund, list them.
Every write goes through `postsale.payments.refunds.refund_request`, the same service the
back office and the customer pages use."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Header, Query, Router, Status
from pydantic import StringConstraints

from postsale.api.auth import actor_of, require_scope
from postsale.api.errors import errors
from postsale.api.idempotency import MAX_KEY_LENGTH, run_idempotent
from postsale.api.presenters import eligibility_out, refund_out
from postsale.api.schemas import (
    BY_DESCRIPTION,
    ITEM_KEY,
    PRINTABLE,
    By,
    OrderNumber,
    RefundEligibilityOut,
    RefundIn,
    RefundList,
    RefundOut,
)
from postsale.core import clock
from postsale.core.errors import Conflict
from postsale.orders.models import Order
from postsale.orders.selectors import order_get
from postsale.payments.eligibility import refund_eligibility, refundable_items
from postsale.payments.models import Refund
from postsale.payments.refunds import REFUNDABLE_ORDER, refund_request
from postsale.payments.rules import RequestedBy

router = Router(tags=["refunds"])

NOT_FOUND = "No order with this number for this token's seller (`order_not_found`)."
NOT_PAID = ("`order_not_refundable`: the order is not paid (awaiting payment, expired, "
            "canceled) or already refunded in full.")

ELIGIBILITY_ERRORS, ELIGIBILITY_DOCS = errors(
    401, 403, 404, 409, 422, e404=NOT_FOUND, e409=NOT_PAID,
    e422="Invalid query; `fields.items` names item keys that are not part of the order.")
CREATE_ERRORS, CREATE_DOCS = errors(
    400, 401, 403, 404, 409, 413, 422, e404=NOT_FOUND,
    e409=f"{NOT_PAID} `already_refunded`: some of the items are already refunded or being "
         "refunded (nothing was reserved; ask again without them). "
         "`refund_exceeds_payments`: the order's payments do not cover the refund.",
    e422="`not_refundable`: none of the items may be refunded; `message` gives the reasons "
         "in the customer's words. `invalid`: bad input, e.g. item keys that are not part of "
         "the order (`fields.items`). `idempotency_key_reused`: the `Idempotency-Key` was "
         "used with another request.")
LIST_ERRORS, LIST_DOCS = errors(401, 403, 404, 422, e404=NOT_FOUND,
                                e422="Not an order number (control characters, or longer "
                                     "than 32 characters).")
CREATE_DOCS["responses"] |= {
    201: {"description": "The refund was requested (or this is a replay of that answer). "
                         "It is sent to the payment provider in the background; follow its "
                         "`status` with `GET …/refunds`."}}

ItemKeyQuery = Annotated[str, StringConstraints(max_length=48, pattern=ITEM_KEY)]


def refunds_of(order: Order):
    return (Refund.objects.filter(order=order)
            .prefetch_related("items__entry", "items__invoice").order_by("-created_at", "-id"))


def _refundable(order: Order) -> Order:
    if order.status not in REFUNDABLE_ORDER:
        raise Conflict("order_not_refundable",
                       f"Order {order.number} is {order.get_status_display().lower()}; "
                       "only paid orders can be refunded.")
    return order


@router.get("/orders/{number}/refund-eligibility",
            response={200: RefundEligibilityOut, **ELIGIBILITY_ERRORS},
            openapi_extra=ELIGIBILITY_DOCS, summary="Check what may be refunded")
def refund_eligibility_check(
    request: HttpRequest, number: OrderNumber,
    by: Annotated[By, Query(description=BY_DESCRIPTION)] = "seller",
    items: Annotated[list[ItemKeyQuery] | None, Query(
        max_length=200,
        description="Repeat for each item: `items=entry:TID-…&items=line:42`. Omitted: "
                    "everything not refunded yet.")] = None,
):
    """Whether the items may be refunded now, for how much, and why — the reasons are in the
    words the customer sees, per item and in total. Changes nothing. Needs the
    `refunds:read` scope."""
    token = require_scope(request, "refunds:read")
    order = _refundable(order_get(seller=token.seller, number=number))
    decision = refund_eligibility(order=order, by=RequestedBy(by), at=clock.now(),
                                  keys=items or None)
    return Status(200, eligibility_out(decision, items=refundable_items(order),
                                       currency=order.currency))


@router.post("/orders/{number}/refunds", response={201: RefundOut, **CREATE_ERRORS},
             openapi_extra=CREATE_DOCS, summary="Refund an order, in full or in part")
def create_refund(
    request: HttpRequest, body: RefundIn, number: OrderNumber,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=MAX_KEY_LENGTH, pattern=PRINTABLE,
        description="Any unique string (a UUID). A repeat with the same key and body gets "
                    "the first response again; another request under the key is a 422."),
):
    """Decides eligibility (see `refund-eligibility`), reserves the amount and the items,
    and sends the refund to the original payments' providers in the background. Items the
    rules refuse are left out and the reasons say why; when none may be refunded, nothing
    happens (422). An item is never refunded twice: a second request for it is a 409.
    Needs the `refunds:write` scope."""
    token = require_scope(request, "refunds:write")

    def work():
        refund = refund_request(seller=token.seller, order_number=number,
                                by=RequestedBy(body.by), actor=actor_of(token),
                                keys=body.items, reason=body.reason)
        return 201, refund_out(refunds_of(refund.order).get(pk=refund.pk))

    status, response = run_idempotent(
        seller=token.seller, key=idempotency_key, operation="refunds.create",
        payload={"order": number, **body.model_dump(mode="json")}, work=work)
    return Status(status, response)


@router.get("/orders/{number}/refunds", response={200: RefundList, **LIST_ERRORS},
            openapi_extra=LIST_DOCS, summary="List an order's refunds")
def list_refunds(request: HttpRequest, number: OrderNumber):
    """Every refund of the order with its status, newest first. Needs the `refunds:read`
    scope."""
    token = require_scope(request, "refunds:read")
    order = order_get(seller=token.seller, number=number)
    return Status(200, {"items": [refund_out(r) for r in refunds_of(order)]})
