from django.http import HttpRequest
from ninja import Router, Status

from postsale.api.auth import actor_of, require_scope
from postsale.api.errors import errors
from postsale.api.presenters import order_out, payment_out
from postsale.api.schemas import PaymentEventIn, PaymentEventOut
from postsale.orders.selectors import order_get
from postsale.payments.services import PaymentReport, payment_record_event

router = Router(tags=["payments"])

EVENT_ERRORS, EVENT_DOCS = errors(
    400, 401, 403, 404, 409, 413, 422,
    e404="No order with this number for this token's seller (`order_not_found`).",
    e409="`transaction_belongs_to_other_order`: the transaction id is another order's; "
         "`payment_amount_mismatch`: the transaction was reported with another amount.",
    e422="Invalid input; `fields` lists each problem. A currency other than the order's is "
         "refused (`fields.currency`).")


@router.post("/payments/events", response={200: PaymentEventOut, **EVENT_ERRORS},
             openapi_extra=EVENT_DOCS, summary="Record a payment event from a sales channel")
def record_payment_event(request: HttpRequest, body: PaymentEventIn):
    """A channel reports that a payment of an order is pending, confirmed or failed. Once
    confirmed payments cover the total, the order is paid, its entries become valid and the
    receipt and entries are e-mailed. Needs the `payments:write` scope.

    Repeating the same report (same `event_id`, or same provider, transaction and status)
    changes nothing and answers `applied: false`."""
    token = require_scope(request, "payments:write")
    result = payment_record_event(
        seller=token.seller, order_number=body.order,
        report=PaymentReport(provider=body.provider, transaction_id=body.transaction_id,
                             status=body.status, amount=body.amount, currency=body.currency,
                             event_id=body.event_id or None, occurred_at=body.occurred_at),
        source=f"api:{token.prefix}", actor=actor_of(token),
        payload=body.model_dump(mode="json"))
    order = order_get(seller=token.seller, number=result.order.number)
    return Status(200, {"applied": result.applied, "detail": result.detail,
                        "payment": payment_out(result.payment), "order": order_out(order)})
