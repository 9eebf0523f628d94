"""What a sales channel sends to create an order, before validation. Front ends (API,
CSV import, demo data) build these; `order_create` validates and stores them."""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CustomerDraft:
    email: str
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    language: str = ""  # empty: the seller's language


@dataclass(frozen=True)
class LineDraft:
    product: str  # product code (sku)
    quantity: int
    time_slot: int | None = None  # TimeSlot id; required for timed entries
    unit_price: int | None = None  # minor units; empty: the product's price


@dataclass(frozen=True)
class PaymentDraft:
    """A payment the channel already took (box office, marketplace)."""

    provider: str
    transaction_id: str
    status: str = "confirmed"
    amount: int | None = None  # empty: the order total


@dataclass(frozen=True)
class OrderDraft:
    channel: str  # sales channel code
    currency: str
    customer: CustomerDraft
    lines: list[LineDraft]
    external_id: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    payment: PaymentDraft | None = None
    created_at: datetime | None = None  # imports keep the original time

    def fingerprint(self) -> str:
        """Stable hash of the content, to tell a replay from a different order."""
        data = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()
