from ninja import NinjaAPI

from postsale.api import errors
from postsale.api.auth import TokenAuth
from postsale.api.orders import router as orders_router
from postsale.api.payments import router as payments_router

api = NinjaAPI(
    title="postsale API",
    version="1",
    description="Orders, payments, tickets, refunds and check-in for one seller per token. "
                "Money is in integer minor units with an ISO 4217 currency; times are UTC.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)
errors.install(api)
api.add_router("/v1/", orders_router)
api.add_router("/v1/", payments_router)
