"""Bank transfer or cash at the desk: no gateway. Confirmations come from agents or the
API; a refund is money the seller returns themselves, recorded here as done."""

from postsale.payments.providers.base import (
    InvalidNotification,
    PaymentProvider,
    RefundResult,
)


class ManualProvider(PaymentProvider):
    name = "manual"
    label = "Bank transfer / cash"

    def parse_notification(self, *, body, headers, config):
        raise InvalidNotification("Manual payments have no notifications.")

    def refund(self, *, transaction_id, amount, currency, idempotency_key, config):
        return RefundResult(provider_refund_id=f"manual-{idempotency_key}")

    def lookup(self, *, transaction_id, config):
        raise InvalidNotification("Manual payments cannot be looked up.")

    def payment_link(self, *, order_number, reference, amount, currency, description, config):
        return ""  # the customer pays by transfer with the reference in the title
