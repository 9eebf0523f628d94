from ninja import NinjaAPI

from postsale.api import errors
from postsale.api.auth import TokenAuth
from postsale.api.checkins import router as checkins_router
from postsale.api.exchanges import router as exchanges_router
from postsale.api.orders import router as orders_router
from postsale.api.payments import router as payments_router
from postsale.api.refunds import router as refunds_router
from postsale.api.search import router as search_router
from postsale.api.tickets import router as tickets_router

DESCRIPTION = """\
Orders, payments, tickets, refunds and check-in for one seller per token.

**Authentication**: `Authorization: Bearer pst_…` — a seller's API token
(`postsale token create SELLER --scope …`). Every request sees only that seller's data.
Scopes: `orders:read`, `orders:write`, `payments:write`, `refunds:read`,
`refunds:write`, `exchanges:write`, `tickets:read`, `tickets:write`, `checkins:read`,
`checkins:write`.

**Money** is in integer minor units with an ISO 4217 currency; **times** are UTC
(ISO 8601; a time without an offset is read as UTC).

**Errors** always have the shape `{"code", "message", "fields"}`: `code` is stable,
`message` says what to do, `fields` maps field paths (`lines[0].quantity`,
`customer.email`) to messages.

**Retries are safe**: send an `Idempotency-Key` with `POST /api/v1/orders`,
`POST …/refunds`, `POST …/exchanges`, `POST /api/v1/tickets` and
`POST …/messages`, a `nonce` with each check-in, or the channel's `external_id` with an
order;
payment events are deduplicated by `event_id` (or provider, transaction and status).

**Lists** are newest first; follow `next_cursor` until it is null.
"""

api = NinjaAPI(
    title="postsale API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)
errors.install(api)
api.add_router("/v1/", orders_router)
api.add_router("/v1/", payments_router)
api.add_router("/v1/", refunds_router)
api.add_router("/v1/", exchanges_router)
api.add_router("/v1/", tickets_router)
api.add_router("/v1/", checkins_router)
api.add_router("/v1/", search_router)
