from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from postsale.api.auth import require_scope
from postsale.api.errors import errors
from postsale.api.schemas import PRINTABLE
from postsale.orders.search import LIMIT, Kind, search_orders
from postsale.orders.selectors import order_list

router = Router(tags=["search"])

SEARCH_ERRORS, SEARCH_DOCS = errors(401, 403, 422,
                                    e422="`q` empty, longer than 200 characters or with "
                                         "control characters; a bad filter; `limit` outside "
                                         "1–50.")

KindName = Literal[tuple(kind.value for kind in Kind)]


class MatchOut(Schema):
    kind: KindName = Field(description="What the query was taken for.")
    label: str = Field(description="The kind in words, in the request's language.")
    value: str = Field(description="What matched, as stored: `TID-…`, `+48 601 234 567`, "
                                   "`Car plate: KR 12345`, a surname.")
    similar: bool = Field(description="A surname close to, not the same as, the query.")


class SearchOrderOut(Schema):
    number: str
    status: str
    channel: str
    external_id: str | None
    created_at: datetime
    email: str
    customer_name: str
    total: int = Field(description="Minor units.")
    currency: str


class SearchHitOut(Schema):
    order: SearchOrderOut
    matches: list[MatchOut]


class SearchOut(Schema):
    query: str
    kinds: list[KindName] = Field(description="Every kind the query could be, looked up.")
    results: list[SearchHitOut] = Field(description="Best kind first, then newest.")
    more: bool = Field(description="More orders match than `limit`: narrow the query or "
                                   "add a filter.")


@router.get("/search", response={200: SearchOut, **SEARCH_ERRORS}, openapi_extra=SEARCH_DOCS,
            summary="Search orders")
def search(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=200, pattern=PRINTABLE,
                   description="An order or entry number, e-mail address, phone number in "
                               "any format, payment provider transaction id, the channel's "
                               "order id, a checkout answer or a surname (accents and case "
                               "do not matter; prefixes and near misses are found)."),
    status: Literal["awaiting_payment", "paid", "partially_refunded", "refunded", "canceled",
                    "expired"] | None = None,
    channel: str | None = Query(None, max_length=50, pattern=PRINTABLE,
                                description="Sales channel code."),
    limit: int = Query(20, ge=1, le=LIMIT),
):
    """The back office's search box for other tools: recognizes what `q` is and says
    for each order what matched. Needs the `orders:read` scope."""
    token = require_scope(request, "orders:read")
    orders = order_list(seller=token.seller, status=status, channel=channel)
    result = search_orders(seller=token.seller, q=q, orders=orders, limit=limit)
    return Status(200, {
        "query": result.term.text,
        "kinds": [kind.value for kind in result.term.kinds],
        "results": [{"order": _order(hit.order),
                     "matches": [{"kind": m.kind.value, "label": m.label, "value": m.value,
                                  "similar": m.similar} for m in hit.matches]}
                    for hit in result.hits],
        "more": result.more,
    })


def _order(order) -> dict:
    return {"number": order.number, "status": order.status, "channel": order.channel.code,
            "external_id": order.external_id, "created_at": order.created_at,
            "email": order.email, "customer_name": order.customer.full_name,
            "total": order.total, "currency": order.currency}
