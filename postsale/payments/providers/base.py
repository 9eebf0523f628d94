"""The one interface every payment provider implements (SPEC §5). A provider module knows
its protocol — signatures, status names, refund API — and nothing about orders beyond the
numbers it is given; the payment services do the rest."""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


class InvalidNotification(Exception):
    """The notification is unsigned, wrongly signed, or not in the provider's format."""


class ProviderUnavailable(Exception):
    """A transient failure (timeout, 5xx, connection refused): try again later."""


class ProviderRejected(Exception):
    """The provider said no for good (e.g. the charge cannot be refunded)."""


@dataclass(frozen=True)
class ProviderEvent:
    """One payment status change from a verified notification."""

    # PID-…, as we passed it to the provider when the payment started; "" when the
    # notification does not carry it (then the transaction id must be one we know).
    order_number: str
    transaction_id: str
    status: str  # a PaymentStatus value: pending | confirmed | failed | refunded
    event_id: str  # the provider's id for this event; repeats are ignored
    amount: int | None = None
    currency: str | None = None
    occurred_at: datetime | None = None
    raw: dict = field(default_factory=dict)  # kept with the payment event: small, no secrets


@dataclass(frozen=True)
class Reply:
    """What to answer the provider after handling a notification."""

    status: int = 200
    body: str = ""
    content_type: str = "text/plain"


@dataclass(frozen=True)
class RefundResult:
    provider_refund_id: str
    status: str = "succeeded"  # "succeeded" | "pending" (the provider will confirm later)


@dataclass(frozen=True)
class Transaction:
    transaction_id: str
    status: str  # a PaymentStatus value
    amount: int
    currency: str
    refunded_amount: int = 0


class PaymentProvider(ABC):
    name: str
    label: str

    @abstractmethod
    def parse_notification(self, *, body: bytes, headers: Mapping[str, str],
                           config: dict) -> list[ProviderEvent]:
        """Verify the signature or hash and return the events. Raises InvalidNotification."""

    def reply(self, events: list[ProviderEvent], *, config: dict,
              declined: frozenset[str] = frozenset()) -> Reply:
        """The answer to a verified notification. `declined` holds the event ids we could
        not apply (unknown order…), which the provider should send again."""
        return Reply()

    def reject_reply(self, error: Exception) -> Reply:
        return Reply(status=400, body=str(error))

    @abstractmethod
    def refund(self, *, transaction_id: str, amount: int, currency: str,
               idempotency_key: str, config: dict) -> RefundResult:
        """Return money. The same idempotency key must never refund twice. Raises
        ProviderUnavailable (retry) or ProviderRejected (do not retry)."""

    @abstractmethod
    def lookup(self, *, transaction_id: str, config: dict) -> Transaction:
        """The provider's view of one transaction."""

    def payment_link(self, *, order_number: str, reference: str, amount: int, currency: str,
                     description: str, config: dict) -> str:
        """A URL where the customer pays `amount` (exchanges' price difference)."""
        raise ProviderRejected(f"{self.label} cannot create payment links.")
